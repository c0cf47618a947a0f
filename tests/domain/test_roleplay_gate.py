"""The validator's gate: a scenario that a surface cue passes, or whose replies give the best
one away, is refused with the file, the cue, the language and the number that failed.

Each case edits tests/fixtures/mini/roleplays/mini-call.yaml in a copy of the mini course
and loads the whole course. In the fixture one path passes (check > basics, 87.8 of a pass
score of 80) and no cue finds it; each case moves the surface of the replies (their words,
their length, their place in the list) so that one cue does, and leaves the scoring alone."""

import copy
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from coursekit.domain.content import ContentError, load_course
from coursekit.domain.content.loader import load_scenario_file
from coursekit.domain.roleplay import cues
from coursekit.domain.roleplay.gate import gate_report
from coursekit.domain.roleplay.schema import Choice
from tests.conftest import MINI_CONTENT, ROOT

FILE = "content/roleplays/mini-call.yaml"
MINI = yaml.safe_load((MINI_CONTENT / "roleplays" / "mini-call.yaml").read_text("utf-8"))

Edit = Callable[[dict], None]


def choice(data: dict, node_id: str, choice_id: str) -> dict:
    return next(c for c in data["nodes"][node_id]["choices"] if c["id"] == choice_id)


def say(node_id: str, choice_id: str, lang: str, text: str) -> Edit:
    def edit(data: dict) -> None:
        choice(data, node_id, choice_id)["say"][lang] = text

    return edit


def reorder(node_id: str, *ids: str) -> Edit:
    def edit(data: dict) -> None:
        node = data["nodes"][node_id]
        by_id = {c["id"]: c for c in node["choices"]}
        assert sorted(ids) == sorted(by_id)
        node["choices"] = [by_id[i] for i in ids]

    return edit


def evidence(node_id: str, choice_id: str, **values: int) -> Edit:
    def edit(data: dict) -> None:
        choice(data, node_id, choice_id)["evidence"] = values

    return edit


def pass_score(value: int) -> Edit:
    def edit(data: dict) -> None:
        data["scoring"]["pass_score"] = value

    return edit


@pytest.fixture
def refused(tmp_path: Path) -> Callable[..., list[str]]:
    """Load the mini course with the scenario edited; the problems it is refused with."""

    def load_with(*edits: Edit) -> list[str]:
        root = tmp_path / "content"
        shutil.copytree(MINI_CONTENT, root, dirs_exist_ok=True)
        data = copy.deepcopy(MINI)
        for edit in edits:
            edit(data)
        assert data != MINI, "the edit did not apply"
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        (root / "roleplays" / "mini-call.yaml").write_text(text, encoding="utf-8")
        with pytest.raises(ContentError) as caught:
            load_course(root)
        return [str(p) for p in caught.value.problems]

    return load_with


def cue_passes(strategy: str, lang: str, score: float, path: str) -> str:
    return (
        f"{FILE}: nodes: the strategy '{strategy}' passes in {lang} with {score} ({path}): "
        "the surface of the replies gives the best one away"
    )


def longest_share(share: str, lang: str) -> str:
    return (
        f"{FILE}: nodes: the best reply is the longest at {share} of the decisions in {lang} "
        "(at most 40%)"
    )


def test_the_mini_scenario_passes_the_gate() -> None:
    report = gate_report(load_scenario_file(MINI_CONTENT / "roleplays" / "mini-call.yaml"))
    assert len(report.runs) == len(cues.STRATEGIES) * 2
    assert not [(r.strategy, r.lang) for r in report.runs if r.result.passed]
    assert report.best.score == 87.8
    assert report.longest_best == {"en": 0.0, "zh": 0.0}
    assert report.random_pass == pytest.approx(1 / 9)  # one path of nine passes
    assert report.tradeoffs == 0.5  # ask and check at the opening
    assert report.dominated == 0.5  # basics at mid


# One scenario per cue strategy: this cue alone finds check > basics.
CUES: dict[str, tuple[list[Edit], list[str], list[str]]] = {
    # the edits, the languages the cue passes in, and the other problems the edit brings
    "longest": (
        [
            say(
                "open",
                "check",
                "en",
                "I'll check with the warehouse first, then give you a date that I can "
                "actually keep.",
            ),
            # "always" keeps 'fewest absolute words, then longest' off basics
            say(
                "mid",
                "basics",
                "en",
                "Let's fix the delivery date first and the wrapping after it: always in that "
                "order, so nothing slips.",
            ),
        ],
        ["en"],
        # In two decisions, a longest reply that passes is the best at both.
        [longest_share("100%", "en")],
    ),
    "shortest": (
        [
            say("open", "check", "zh", "我查一下。"),
            say("mid", "basics", "zh", "日期先，包装后。"),
        ],
        ["zh"],
        [],
    ),
    "first as authored": (
        [
            reorder("open", "check", "promise", "ask"),
            reorder("mid", "basics", "extras", "wrap"),
            # with no hedging anywhere 'most hedging markers' would take the first reply too
            say("open", "ask", "en", "When might you need it?"),
            say("open", "ask", "zh", "您大概哪天要用？"),
        ],
        ["en", "zh"],
        [],
    ),
    "last as authored": ([reorder("mid", "extras", "wrap", "basics")], ["en", "zh"], []),
    "most politeness markers": (
        [
            # two markers beat the promise's one ("sorry"); shorter than the promise
            say("open", "check", "en", "Thank you, please let me check for a date I can keep."),
            say("mid", "basics", "en", "Please, the date first, then the wrapping."),
        ],
        ["en"],
        [],
    ),
    "most hedging markers": (
        [
            say("open", "check", "zh", "我先查一下，尽量给您一个能兑现的日期。"),
            say("mid", "basics", "zh", "一般先定日期，再包装。"),
        ],
        ["zh"],
        [],
    ),
    "fewest absolute words, then longest": (
        [
            # the promise has "promise"; now wrap, the longest at mid, has "definitely"
            say(
                "mid",
                "wrap",
                "en",
                "Would you like it wrapped? Tell me and I can definitely sort the wrapping "
                "out now.",
            ),
        ],
        ["en"],
        [],
    ),
}


def test_every_strategy_has_a_scenario_it_passes() -> None:
    assert list(CUES) == list(cues.STRATEGIES)


@pytest.mark.parametrize("strategy", list(CUES))
def test_a_scenario_a_cue_passes_is_refused(refused, strategy: str) -> None:
    edits, langs, others = CUES[strategy]
    problems = refused(*edits)
    expected = [cue_passes(strategy, lang, 87.8, "check > basics") for lang in langs]
    assert problems == expected + others


def test_a_cue_is_refused_with_the_score_it_reached(refused) -> None:
    # A lower pass score: last as authored (check > wrap, 79.0) now passes, as does the
    # longest reply without an absolute word; and so would a third of random players.
    problems = refused(pass_score(75))
    pattern = re.compile(
        rf"{re.escape(FILE)}: nodes: the strategy '(?P<strategy>[^']+)' passes in "
        r"(?P<lang>en|zh) with (?P<score>\d+\.\d) \((?P<path>[a-z> -]+)\): "
    )
    found = sorted(
        (m["strategy"], m["lang"], float(m["score"]), m["path"])
        for m in map(pattern.match, problems)
        if m
    )
    assert found == [
        ("fewest absolute words, then longest", "en", 79.0, "check > wrap"),
        ("fewest absolute words, then longest", "zh", 79.0, "check > wrap"),
        ("last as authored", "en", 79.0, "check > wrap"),
        ("last as authored", "zh", 79.0, "check > wrap"),
    ]
    assert problems[-1] == (
        f"{FILE}: scoring.pass_score: a player choosing at random passes 33.3% of the time "
        "(must be under 15%)"
    )


def test_best_reply_longest_too_often_in_one_language(refused) -> None:
    # Only the Chinese check (worth as much as ask, the best at the opening) is now the
    # longest reply there: one decision of two in zh, none in en.
    problems = refused(
        say("open", "check", "zh", "我先查一下库存和物流，再给您一个我确实能兑现的送达日期。")
    )
    assert problems == [longest_share("50%", "zh")]


def test_random_player_passes_too_often(refused) -> None:
    # ask now also earns trust: ask > basics and ask > wrap pass too, three paths of nine
    problems = refused(evidence("open", "ask", discover=2, trust=1))
    assert problems == [
        f"{FILE}: scoring.pass_score: a player choosing at random passes 33.3% of the time "
        "(must be under 15%)"
    ]


TOO_FEW_TRADEOFFS = (
    f"{FILE}: nodes: only 0% of the decisions offer two defensible replies in a real "
    "trade-off (close in value, each stronger on some dimension; at least 33%)"
)


@pytest.mark.parametrize(
    "edits",
    [
        # check is worth 4, ask 2: each still stronger somewhere, but not close
        [evidence("open", "check", calibrate=2, trust=2)],
        # close (ask 1, check 2), but ask is stronger nowhere; ask's calibrate lifts
        # check > wrap to 84.6, so the pass score rises to keep it failing
        [evidence("open", "ask", calibrate=1), pass_score(85)],
    ],
    ids=["not close", "one stronger everywhere"],
)
def test_too_few_tradeoffs(refused, edits: list[Edit]) -> None:
    assert refused(*edits) == [TOO_FEW_TRADEOFFS]


# The surface measures


def test_english_markers_match_at_the_start_of_a_word() -> None:
    assert cues.count_markers("absolute", "I promise", "en") == 1
    assert cues.count_markers("absolute", "as promised, and promises kept", "en") == 2
    assert cues.count_markers("absolute", "a compromise", "en") == 0
    assert cues.count_markers("politeness", "displeased", "en") == 0
    assert cues.count_markers("hedging", "I think it might, perhaps", "en") == 3
    assert cues.count_markers("politeness", "Of course, my pleasure", "en") == 2
    assert cues.count_markers("absolute", "100% sure, no problem", "en") == 2


def test_english_markers_ignore_case() -> None:
    assert cues.count_markers("politeness", "PLEASE. Sorry! Thank You", "en") == 3
    assert cues.count_markers("absolute", "DEFINITELY, Guaranteed", "en") == 2


def test_chinese_markers_match_anywhere() -> None:
    assert cues.count_markers("politeness", "请您稍等，谢谢您", "zh") == 4  # 请 您 谢谢 您
    assert cues.count_markers("politeness", "我不理解", "zh") == 1
    assert cues.count_markers("hedging", "大概明天左右到", "zh") == 2
    # 包您 is absolute; the 您 in it is politeness too: each list is counted on its own
    assert cues.count_markers("absolute", "放心，包您满意", "zh") == 2
    assert cues.count_markers("politeness", "放心，包您满意", "zh") == 1


def test_markers_of_one_language_only() -> None:
    assert cues.count_markers("politeness", "please 请", "zh") == 1
    assert cues.count_markers("politeness", "请您", "en") == 0
    assert cues.count_markers("absolute", "", "en") == 0


def test_length_leaves_out_spaces() -> None:
    assert cues.length("") == 0
    assert cues.length("a b\tc\n") == 3
    assert cues.length("Hi, you!") == 7  # punctuation counts
    assert cues.length("明天 见。") == 4
    assert cues.length("  我 先查一下 ") == 5


FEEDBACK = {"en": "f", "zh": "f"}


def _options(*texts: str) -> list[Choice]:
    return [
        Choice.model_validate(
            {"id": f"c{i}", "say": {"en": t, "zh": t}, "next": "end", "feedback": FEEDBACK}
        )
        for i, t in enumerate(texts)
    ]


def test_strategies_take_the_first_among_equals() -> None:
    options = _options("aaaa", "bbbb", "cc", "dd")
    pick = {name: strategy(options, "en").id for name, strategy in cues.STRATEGIES.items()}
    assert pick == {
        "longest": "c0",
        "shortest": "c2",
        "first as authored": "c0",
        "last as authored": "c3",
        "most politeness markers": "c0",
        "most hedging markers": "c0",
        "fewest absolute words, then longest": "c0",
    }


def test_fewest_absolute_words_then_longest() -> None:
    options = _options("I promise, always", "I'll check", "I'll check the date", "never")
    assert cues.STRATEGIES["fewest absolute words, then longest"](options, "en").id == "c2"


# The README prints the lists, so authors know what the validator plays.

README = ROOT / "content" / "roleplays" / "README.md"
SECTION = "## Marker words the validator plays"
LINE = re.compile(r"^- (?P<kind>politeness|hedging|absolute), (?P<lang>en|zh): (?P<words>.+)$")


def readme_markers() -> dict[tuple[str, str], list[str]]:
    text = README.read_text(encoding="utf-8")
    assert text.count(SECTION + "\n") == 1, f"README.md needs one section {SECTION!r}"
    section = text.split(SECTION + "\n", 1)[1]
    section = re.split(r"^## ", section, maxsplit=1, flags=re.MULTILINE)[0]
    lists: dict[tuple[str, str], list[str]] = {}
    for line in section.splitlines():
        match = LINE.match(line.strip())
        if match:
            key = (match["kind"], match["lang"])
            assert key not in lists, f"{key} listed twice"
            separator = "," if match["lang"] == "en" else "、"
            lists[key] = [w.strip() for w in match["words"].split(separator)]
    return lists


def test_readme_lists_exactly_the_marker_words() -> None:
    listed = readme_markers()
    expected = {
        (kind, lang): sorted(words)
        for kind, lists in cues.MARKERS.items()
        for lang, words in lists.items()
    }
    assert {key: sorted(words) for key, words in listed.items()} == expected
    assert cues.MARKERS == {
        "politeness": cues.POLITENESS,
        "hedging": cues.HEDGING,
        "absolute": cues.ABSOLUTE,
    }
