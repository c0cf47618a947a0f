"""Load and validate a course folder into frozen objects, reporting every problem at once."""

import hashlib
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from ..digest import digest
from ..roleplay.gate import gate_problems
from ..roleplay.model import Scenario, scenario_from_spec
from ..roleplay.schema import ScenarioSpec
from ..roleplay.validate import choice_problems, graph_problems, path_problems
from . import check_lint, markdown
from .errors import ContentError, Problem
from .model import LANGUAGES, Course, KnowledgeCheck, Lesson, Module
from .schema import Category, CheckSpec, CourseSpec, ModuleSpec

_QUESTION_TYPES = {"single", "multiple", "classify"}
M = TypeVar("M", bound=BaseModel)
_valid_scenarios: dict[str | None, Scenario] = {}  # file sha256 -> scenario that passed every check


class _Loader:
    def __init__(self, root: Path):
        self.root = root
        self.problems: list[Problem] = []

    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root.parent).as_posix()
        except ValueError:
            return str(path)

    def problem(self, path: Path, field: str, reason: str) -> None:
        self.problems.append(Problem(self.rel(path), field, reason))

    def read_yaml(self, path: Path) -> Any:
        if not path.is_file():
            self.problem(path, "", "file is missing")
            return None
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError as exc:
            self.problem(path, "", f"not UTF-8 text ({exc.reason})")
            return None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            reason = getattr(exc, "problem", None) or str(exc)
            self.problem(path, where, f"not valid YAML: {reason}")
            return None
        if not isinstance(data, dict):
            self.problem(path, "", "must be a YAML mapping (key: value pairs) at the top level")
            return None
        return data

    def validate(
        self, path: Path, spec: type[M], data: dict, context: dict | None = None
    ) -> M | None:
        try:
            return spec.model_validate(data, context=context)
        except ValidationError as exc:
            errors = exc.errors()
            # "too short" on a list whose items failed is an echo of those failures.
            failing_parents = {e["loc"][:i] for e in errors for i in range(len(e["loc"]))}
            for error in errors:
                if error["type"] == "too_short" and error["loc"] in failing_parents:
                    continue
                field = _field_name(error["loc"], data)
                reason = error["msg"].removeprefix("Value error, ")
                if error["type"] == "extra_forbidden":
                    reason = "unknown field"
                self.problem(path, field, reason)
            return None

    def load_lesson(self, module: ModuleSpec, lang: str) -> Lesson | None:
        path = self.root / "lessons" / f"{module.id}.{lang}.md"
        if not path.is_file():
            self.problem(path, "", f"lesson file is missing for module {module.id!r} ({lang})")
            return None
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            self.problem(path, "", f"not UTF-8 text ({exc.reason})")
            return None
        if not text.strip():
            self.problem(path, "", "lesson is empty")
            return None
        if markdown.has_heading(text, 1):
            self.problem(
                path, "# heading", "lessons take their title from course.yaml; use ## sections"
            )
        sections = markdown.headings(text, 2)
        if not sections:
            self.problem(path, "## sections", "a lesson needs at least one ## section")
        return Lesson(lang=lang, markdown=text, html=markdown.render(text), sections=sections)

    def load_check(self, course: CourseSpec, module: ModuleSpec) -> KnowledgeCheck | None:
        path = self.root / "checks" / f"{module.id}.yaml"
        data = self.read_yaml(path)
        if data is None:
            return None
        spec = self.validate(path, CheckSpec, data, {"category_sets": course.category_sets})
        if spec is None:
            return None
        for field, reason in check_lint.question_problems(spec.questions):
            self.problem(path, field, reason)
        pass_mark = spec.pass_mark if spec.pass_mark is not None else course.pass_mark
        used = {q.categories for q in spec.questions if q.type == "classify"}
        sets = {name: course.category_sets[name] for name in sorted(used)}
        definition = {
            "module_id": module.id,
            "pass_mark": pass_mark,
            "questions": [q.model_dump(mode="json") for q in spec.questions],
            "category_sets": {k: [c.model_dump(mode="json") for c in v] for k, v in sets.items()},
        }
        return KnowledgeCheck(
            module_id=module.id,
            pass_mark=pass_mark,
            questions=spec.questions,
            category_sets=MappingProxyType(sets),
            hash=digest(definition),
            definition=MappingProxyType(definition),
        )

    def lint_checks(self, checks: dict[str, tuple]) -> None:
        """The rules that look at every check at once (see check_lint)."""
        for module_id, field, reason in check_lint.course_problems(checks):
            name = f"checks/{module_id}.yaml" if module_id else "course.yaml"
            self.problem(self.root / name, field, reason)

    def load_roleplays(self, course: CourseSpec) -> dict[str, Scenario]:
        """Every scenario in roleplays/, each checked path by path, and the modules' links."""
        folder = self.root / "roleplays"
        used = {rid: m.id for m in course.modules for rid in m.roleplays}
        scenarios: dict[str, Scenario] = {}
        for path in sorted(folder.glob("*.y*ml")) if folder.is_dir() else []:
            scenario = self.load_roleplay(path)
            if scenario is None:
                continue
            if scenario.id != path.stem:
                self.problem(path, "id", f"must be the file name without .yaml ({path.stem!r})")
            elif scenario.id not in used:
                self.problem(path, "", "no module in course.yaml lists this role-play")
            scenarios[scenario.id] = scenario
        for rid, module_id in used.items():
            if rid not in scenarios and not (folder / f"{rid}.yaml").is_file():
                self.problem(
                    self.root / "course.yaml",
                    f"modules ({module_id}).roleplays",
                    f"no scenario file roleplays/{rid}.yaml",
                )
        return scenarios

    def load_roleplay(self, path: Path) -> Scenario | None:
        # Checking every path takes a while; the same bytes always give the same verdict.
        key = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
        if key in _valid_scenarios:
            return _valid_scenarios[key]
        data = self.read_yaml(path)
        old_format = _old_format_fields(data)
        if old_format:
            # Only versions stored before the two-level zone are read in the old format.
            for field in old_format:
                self.problem(path, field, OLD_FORMAT)
            return None
        spec = self.validate(path, ScenarioSpec, data) if data is not None else None
        if spec is None:
            return None
        scenario = scenario_from_spec(spec)
        # The gate walks every path again: only for a scenario whose paths are sound.
        problems = graph_problems(spec) or choice_problems(spec) + path_problems(scenario)
        problems = problems or gate_problems(scenario)
        for field, reason in problems:
            self.problem(path, field, reason)
        if problems:
            return None
        _valid_scenarios[key] = scenario
        return scenario

    def report_strays(self, course: CourseSpec) -> None:
        """A misnamed lesson or check would otherwise be silently ignored."""
        ids = {m.id for m in course.modules}
        for path in sorted((self.root / "lessons").glob("*.md")):
            module_id, _, lang = path.stem.rpartition(".")
            if module_id not in ids or lang not in LANGUAGES:
                self.problem(path, "", "does not match any module and language in course.yaml")
        for path in sorted((self.root / "checks").glob("*.y*ml")):
            if path.stem not in ids or path.suffix != ".yaml":
                self.problem(path, "", "does not match any module in course.yaml")

    def load(self) -> Course:
        course_path = self.root / "course.yaml"
        data = self.read_yaml(course_path)
        spec = self.validate(course_path, CourseSpec, data) if data is not None else None
        if spec is None:
            raise ContentError(self.problems)
        modules = []
        checks: dict[str, tuple] = {}  # module id -> questions, for the course-wide lint
        for module_spec in spec.modules:
            lessons = {lang: self.load_lesson(module_spec, lang) for lang in LANGUAGES}
            self.check_parity(module_spec, lessons)
            check = self.load_check(spec, module_spec)
            if check is not None:
                checks[module_spec.id] = check.questions
            if check is None or None in lessons.values():
                continue
            modules.append(
                Module(
                    id=module_spec.id,
                    kind=module_spec.kind,
                    hours=module_spec.hours,
                    title=module_spec.title,
                    lessons=MappingProxyType(lessons),  # type: ignore[arg-type]
                    check=check,
                    roleplays=module_spec.roleplays,
                )
            )
        self.lint_checks(checks)
        roleplays = self.load_roleplays(spec)
        self.report_strays(spec)
        if self.problems:
            raise ContentError(self.problems)
        course_hash = digest(
            {
                "course": spec.model_dump(mode="json"),
                "lessons": {
                    f"{m.id}.{k}": v.markdown for m in modules for k, v in m.lessons.items()
                },
                "checks": {m.id: m.check.hash for m in modules},
                "roleplays": {rid: s.hash for rid, s in roleplays.items()},
            }
        )
        return Course(
            id=spec.id,
            title=spec.title,
            summary=spec.summary,
            pass_mark=spec.pass_mark,
            modules=tuple(modules),
            hash=course_hash,
            roleplays=MappingProxyType(roleplays),
            roleplay_mode=spec.roleplay_mode,
            roleplay_step_feedback=spec.roleplay_step_feedback,
            completion=spec.completion,
            certificate_hours=spec.hours,
        )

    def check_parity(self, module: ModuleSpec, lessons: dict[str, Lesson | None]) -> None:
        """Every language version has the same sections, so a learner who switches is not lost."""
        counts = {lang: len(lesson.sections) for lang, lesson in lessons.items() if lesson}
        if len(set(counts.values())) > 1:
            detail = ", ".join(f"{lang}: {n}" for lang, n in counts.items())
            path = self.root / "lessons" / f"{module.id}.zh.md"
            self.problem(
                path, "## sections", f"language versions differ in section count ({detail})"
            )


def _field_name(loc: tuple, data: Any) -> str:
    """('questions', 2, 'single', 'options', 0) -> 'questions[2] (id q3).options[0]'."""
    parts: list[str] = []
    node = data
    for i, key in enumerate(loc):
        if isinstance(key, int):
            parts[-1] += f"[{key}]"
            node = node[key] if isinstance(node, list) and key < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("id"), str):
                parts[-1] += f" (id {node['id']})"
        elif key in _QUESTION_TYPES and i > 0 and isinstance(loc[i - 1], int):
            continue  # the discriminator's tag, not a field
        else:
            parts.append(str(key))
            node = node.get(key) if isinstance(node, dict) else None
    return ".".join(parts) or "(top level)"


def load_course(root: Path | str) -> Course:
    """Load the course in `root`; raise ContentError listing every problem found."""
    root = Path(root)
    if not (root / "course.yaml").is_file():
        raise ContentError([Problem(str(root / "course.yaml"), "", "file is missing")])
    return _Loader(root).load()


def check_from_definition(definition: Mapping[str, Any]) -> KnowledgeCheck:
    """Rebuild a knowledge check from the definition stored under its hash."""
    sets = {
        name: tuple(Category.model_validate(c) for c in categories)
        for name, categories in definition["category_sets"].items()
    }
    spec = CheckSpec.model_validate(
        {"pass_mark": definition["pass_mark"], "questions": definition["questions"]},
        context={"category_sets": sets},
    )
    return KnowledgeCheck(
        module_id=definition["module_id"],
        pass_mark=definition["pass_mark"],
        questions=spec.questions,
        category_sets=MappingProxyType(sets),
        hash=digest(dict(definition)),
        definition=MappingProxyType(dict(definition)),
    )


OLD_FORMAT = "the old one-level format: write the levels D and A (see content/roleplays/README.md)"


def _old_format_fields(data: Any) -> list[str]:
    """Where a scenario file still uses the one-level E and its `zone` offsets."""
    if not isinstance(data, dict):
        return []
    found = ["zone"] if "zone" in data else []
    nodes = data.get("nodes")
    for node_id, node in nodes.items() if isinstance(nodes, dict) else ():
        if not isinstance(node, dict):
            continue
        if isinstance(node.get("effects"), dict) and "E" in node["effects"]:
            found.append(f"nodes.{node_id}.effects.E")
        for i, choice in enumerate(node.get("choices") or ()):
            effects = choice.get("effects") if isinstance(choice, dict) else None
            if isinstance(effects, dict) and "E" in effects:
                found.append(f"nodes.{node_id}.choices[{i}].effects.E")
    return found


def load_scenario_file(path: Path | str) -> Scenario:
    """Load and check one role-play file on its own; raise ContentError listing its problems."""
    path = Path(path)
    loader = _Loader(path.parent.parent)
    scenario = loader.load_roleplay(path)
    if scenario is None or loader.problems:
        raise ContentError(loader.problems)
    return scenario
