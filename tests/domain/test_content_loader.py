"""The content loader: the shipped course, and every kind of malformed file with its message."""

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from coursekit.domain.content import ContentError, load_course
from coursekit.domain.content.loader import check_from_definition
from tests.conftest import MINI_CONTENT, ROOT

SHIPPED = ROOT / "content"


@pytest.fixture
def broken(tmp_path: Path) -> Callable[[str, Callable[[str], str]], list[str]]:
    """Copy the small course, edit one file, load it and return the problems as text."""

    def load_with(relative: str, edit: Callable[[str], str]) -> list[str]:
        root = tmp_path / "content"
        shutil.copytree(MINI_CONTENT, root, dirs_exist_ok=True)
        path = root / relative
        path.write_text(
            edit(path.read_text(encoding="utf-8") if path.exists() else ""), encoding="utf-8"
        )
        with pytest.raises(ContentError) as caught:
            load_course(root)
        return [str(p) for p in caught.value.problems]

    return load_with


def test_shipped_course_loads_completely() -> None:
    course = load_course(SHIPPED)
    assert course.id == "customer-expectations"
    assert len(course.modules) == 10
    assert {m.kind for m in course.modules} == {"lesson", "case"}
    assert re.fullmatch(r"[0-9a-f]{64}", course.hash)
    for module in course.modules:
        en, zh = module.lessons["en"], module.lessons["zh"]
        assert en.sections[-1] == "Reflection", module.id
        assert zh.sections[-1] == "思考题", module.id
        assert len(en.sections) == len(zh.sections) >= 3
        assert "<h1" not in en.html
        types = {q.type for q in module.check.questions}
        assert types == {"single", "multiple", "classify"}, module.id
        for q in module.check.questions:
            assert q.prompt.en and q.prompt.zh and q.feedback.en and q.feedback.zh


def test_case_studies_make_the_learner_classify_kinds_and_sources() -> None:
    course = load_course(SHIPPED)
    for module in (m for m in course.modules if m.kind == "case"):
        sets = {q.categories for q in module.check.questions if q.type == "classify"}
        assert sets == {"kinds", "sources"}, module.id


def test_coverage_names_every_concept_and_real_sections() -> None:
    course = load_course(SHIPPED)
    coverage = (SHIPPED / "COVERAGE.md").read_text(encoding="utf-8")
    rows = [line for line in coverage.splitlines() if line.startswith("| ") and "---" not in line]
    concepts = {re.match(r"\| (\d+)\.", row).group(1) for row in rows if re.match(r"\| \d+\.", row)}
    assert concepts == {str(n) for n in range(1, 11)}
    assert any("Apple" in row for row in rows) and any("Amazon" in row for row in rows)
    sections = {
        m.id: set(m.lessons["en"].sections) | set(m.lessons["zh"].sections) for m in course.modules
    }
    for row in rows[1:]:
        _, _concept, module_id, where, _ = (cell.strip() for cell in row.split("|"))
        assert module_id in sections, row
        for heading in re.findall(r"([^;()]+?) \(([^)]+)\)", where):
            assert heading[0].strip() in sections[module_id], (module_id, heading)
            assert heading[1].strip() in sections[module_id], (module_id, heading)


def test_markdown_is_rendered_and_sanitised() -> None:
    lesson = load_course(MINI_CONTENT).module("one").lessons["en"]
    assert "<strong>hello</strong>" in lesson.html
    assert "<script" not in lesson.html


def test_stored_definition_rebuilds_the_same_check() -> None:
    check = load_course(SHIPPED).modules[0].check
    rebuilt = check_from_definition(check.definition)
    assert rebuilt.hash == check.hash
    assert rebuilt.questions == check.questions


def test_yaml_syntax_error_names_file_and_line(broken) -> None:
    problems = broken("checks/one.yaml", lambda text: text.replace("  - id: q2", "  - id: [q2"))
    assert len(problems) == 1
    assert problems[0].startswith("content/checks/one.yaml: line ")
    assert "not valid YAML" in problems[0]


def test_missing_translation_names_the_field(broken) -> None:
    problems = broken("course.yaml", lambda text: text.replace("zh: 迷你课程", "fr: Mini"))
    assert "content/course.yaml: title.zh: Field required" in problems
    assert "content/course.yaml: title.fr: unknown field" in problems


def test_duplicate_module_id(broken) -> None:
    problems = broken("course.yaml", lambda text: text.replace("  - id: two", "  - id: one"))
    assert any(
        "modules: Value error" not in p and "duplicate module id 'one'" in p for p in problems
    )


def test_missing_lesson_file(tmp_path: Path) -> None:
    root = tmp_path / "content"
    shutil.copytree(MINI_CONTENT, root)
    (root / "lessons" / "two.zh.md").unlink()
    with pytest.raises(ContentError) as caught:
        load_course(root)
    assert [str(p) for p in caught.value.problems] == [
        "content/lessons/two.zh.md: lesson file is missing for module 'two' (zh)"
    ]


def test_lesson_with_a_title_heading(broken) -> None:
    problems = broken("lessons/one.en.md", lambda text: "# Title\n\n" + text)
    assert problems == [
        "content/lessons/one.en.md: # heading: "
        "lessons take their title from course.yaml; use ## sections"
    ]


def test_languages_must_have_the_same_sections(broken) -> None:
    problems = broken("lessons/one.zh.md", lambda text: text + "\n## 多出来的一节\n\n内容\n")
    assert problems == [
        "content/lessons/one.zh.md: ## sections: "
        "language versions differ in section count (en: 2, zh: 3)"
    ]


def test_single_choice_needs_exactly_one_correct_option(broken) -> None:
    problems = broken(
        "checks/one.yaml",
        lambda text: text.replace(
            '{id: b, text: {en: "B", zh: "乙"}',
            '{id: b, correct: true, text: {en: "B", zh: "乙"}',
            1,
        ),
    )
    assert problems == [
        "content/checks/one.yaml: questions[0] (id q1).options: "
        "a single-choice question needs exactly one correct option, not 2"
    ]


def test_classification_item_with_unknown_category(broken) -> None:
    problems = broken(
        "checks/one.yaml", lambda text: text.replace("category: enhanced", "category: premium")
    )
    assert problems == [
        "content/checks/one.yaml: questions[2] (id q3): item 'i4' has category 'premium', "
        "which is not in set 'kinds'"
    ]


def test_unknown_category_set(broken) -> None:
    problems = broken(
        "checks/one.yaml", lambda text: text.replace("categories: kinds", "categories: moods")
    )
    assert problems == [
        "content/checks/one.yaml: questions[2] (id q3): unknown category set 'moods' (known: kinds)"
    ]


def test_unknown_question_type(broken) -> None:
    problems = broken("checks/two.yaml", lambda text: text.replace("type: single", "type: essay"))
    assert len(problems) == 1 and problems[0].startswith(
        "content/checks/two.yaml: questions[0] (id q1): "
    )
    assert "expected tags: 'single', 'multiple', 'classify'" in problems[0]


def test_stray_file_is_reported(broken) -> None:
    problems = broken("checks/three.yaml", lambda _text: "questions: []\n")
    assert problems == ["content/checks/three.yaml: does not match any module in course.yaml"]


def test_every_problem_is_reported_at_once(broken, tmp_path: Path) -> None:
    root = tmp_path / "content"
    shutil.copytree(MINI_CONTENT, root)
    (root / "checks" / "two.yaml").write_text("questions: not-a-list\n", encoding="utf-8")
    (root / "lessons" / "one.en.md").write_text("", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_course(root)
    text = str(caught.value)
    assert "content/lessons/one.en.md: lesson is empty" in text
    assert "content/checks/two.yaml: questions:" in text
    assert "2 problem(s)" in text


def test_missing_course_file(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match=r"course\.yaml: file is missing"):
        load_course(tmp_path)
