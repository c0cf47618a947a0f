"""xAPI 1.0.3 statements for a learning record store, built from plain facts (pure).

Who: an account (homePage = the site, name = a pseudonym), never an email. What: ADL verbs,
activity ids as IRIs under the site URL. Statement ids are UUIDs derived from the event, so
sending one again (a retry, a replayed signal) is the same statement; each attempt gets its
own context.registration."""

import hashlib
import hmac
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

VERSION = "1.0.3"
ADL_VERBS = "http://adlnet.gov/expapi/verbs/"
VERBS = ("launched", "attempted", "answered", "passed", "failed", "completed")
ACTIVITY_TYPES = {
    "course": "http://adlnet.gov/expapi/activities/course",
    "module": "http://adlnet.gov/expapi/activities/module",
    "assessment": "http://adlnet.gov/expapi/activities/assessment",
    "question": "http://adlnet.gov/expapi/activities/cmi.interaction",
    "simulation": "http://adlnet.gov/expapi/activities/simulation",
}
LANGUAGE_TAGS = {"en": "en", "zh": "zh-CN"}  # language maps need RFC 5646 tags
PLATFORM = "CourseKit"

Text = Mapping[str, str]  # {"en": ..., "zh": ...}


@dataclass(frozen=True)
class Site:
    url: str  # the public base URL: actors' homePage, and the root of every activity IRI

    def iri(self, *parts: object) -> str:
        base = self.url.rstrip("/")
        return base + "/xapi/" + "/".join(quote(str(p), safe="") for p in parts)


def pseudonym(key: bytes, user_id: int) -> str:
    """A stable name for the learner that does not reveal who they are (HMAC of the id)."""
    return hmac.new(key, f"xapi-actor:{user_id}".encode(), hashlib.sha256).hexdigest()[:32]


def derived_uuid(site: Site, *parts: object) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, site.iri(*parts)))


def iso_duration(seconds: float) -> str:
    """ISO 8601 duration to the hundredth of a second xAPI keeps: 3723.5 -> PT1H2M3.5S."""
    hundredths = max(0, round(seconds * 100))
    hours, rest = divmod(hundredths, 360000)
    minutes, rest = divmod(rest, 6000)
    whole, fraction = divmod(rest, 100)
    text = "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    if whole or fraction or text == "PT":
        text += f"{whole}.{fraction:02d}".rstrip("0").rstrip(".") + "S"
    return text


def iso_timestamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("an xAPI timestamp needs a timezone")
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def language_map(text: Text) -> dict[str, str]:
    return {LANGUAGE_TAGS.get(lang, lang): value for lang, value in text.items() if value}


def activity(iri: str, kind: str, name: Text | None = None, **definition: Any) -> dict:
    body: dict[str, Any] = {"type": ACTIVITY_TYPES[kind], **definition}
    if name:
        body["name"] = language_map(name)
    return {"objectType": "Activity", "id": iri, "definition": body}


@dataclass(frozen=True)
class Learner:
    """Who did it, as the LRS may know them."""

    site: Site
    name: str  # pseudonym()

    def actor(self) -> dict:
        return {"objectType": "Agent", "account": {"homePage": self.site.url, "name": self.name}}


@dataclass(frozen=True)
class CourseRef:
    id: str
    title: Text

    def activity(self, site: Site) -> dict:
        return activity(site.iri("course", self.id), "course", self.title)


def statement(
    learner: Learner,
    course: CourseRef,
    *,
    id_parts: tuple[object, ...],
    verb: str,
    object: dict,
    when: datetime,
    result: dict | None = None,
    registration: str | None = None,
    parent: dict | None = None,
    extensions: dict | None = None,
) -> dict:
    """One statement; the course is always the grouping (or the object itself)."""
    site = learner.site
    course_activity = course.activity(site)
    context: dict[str, Any] = {"platform": PLATFORM}
    activities: dict[str, list] = {}
    if parent is not None:
        activities["parent"] = [parent]
    if object["id"] != course_activity["id"]:
        activities["grouping"] = [course_activity]
    if activities:
        context["contextActivities"] = activities
    if registration:
        context["registration"] = registration
    if extensions:
        context["extensions"] = extensions
    body = {
        "id": derived_uuid(site, "statement", *id_parts),
        "actor": learner.actor(),
        "verb": {"id": ADL_VERBS + verb, "display": {"en-US": verb}},
        "object": object,
        "context": context,
        "timestamp": iso_timestamp(when),
    }
    if result is not None:
        body["result"] = result
    return body


def scored(percent: float, *, passed: bool, seconds: float | None = None) -> dict:
    """A result on a 0-100 score: scaled 0..1, success, completion and the time it took."""
    result: dict[str, Any] = {
        "score": {"scaled": round(percent / 100, 4), "raw": percent, "min": 0, "max": 100},
        "success": passed,
        "completion": True,
    }
    if seconds is not None:
        result["duration"] = iso_duration(seconds)
    return result


def launched(learner: Learner, course: CourseRef, *, launch_id: str, when: datetime) -> dict:
    """The learner arrived in the course (an LMS launch)."""
    return statement(
        learner,
        course,
        id_parts=("launch", launch_id),
        verb="launched",
        object=course.activity(learner.site),
        when=when,
    )


def lesson_completed(
    learner: Learner, course: CourseRef, *, module_id: str, title: Text, when: datetime
) -> dict:
    site = learner.site
    return statement(
        learner,
        course,
        id_parts=("lesson", learner.name, course.id, module_id, "completed"),
        verb="completed",
        object=activity(site.iri("course", course.id, "module", module_id), "module", title),
        when=when,
        result={"completion": True},
    )


def course_completed(learner: Learner, course: CourseRef, *, when: datetime) -> dict:
    return statement(
        learner,
        course,
        id_parts=("course", learner.name, course.id, "completed"),
        verb="completed",
        object=course.activity(learner.site),
        when=when,
        result={"completion": True, "success": True},
    )


@dataclass(frozen=True)
class Answer:
    question_id: str
    prompt: Text
    interaction: str  # "choice" or "matching"
    response: str  # xAPI response pattern: "a[,]b", "item[.]category[,]..."
    credit: float  # 0..1


@dataclass(frozen=True)
class CheckAttempt:
    attempt_id: int
    module_id: str
    title: Text
    score: float  # 0..100
    passed: bool
    submitted_at: datetime
    answers: tuple[Answer, ...] = ()
    seconds: float | None = None  # time from the form being issued to its submission


def check_statements(learner: Learner, course: CourseRef, check: CheckAttempt) -> list[dict]:
    """attempted, answered (one per question), then passed or failed."""
    site = learner.site
    check_iri = site.iri("course", course.id, "module", check.module_id, "check")
    assessment = activity(check_iri, "assessment", check.title)
    registration = derived_uuid(site, "registration", "check-attempt", check.attempt_id)
    ids = ("check-attempt", check.attempt_id)
    common = {"registration": registration, "when": check.submitted_at}
    statements = [
        statement(
            learner,
            course,
            id_parts=(*ids, "attempted"),
            verb="attempted",
            object=assessment,
            **common,
        )
    ]
    for answer in check.answers:
        question = activity(
            f"{check_iri}/{quote(answer.question_id, safe='')}",
            "question",
            answer.prompt,
            interactionType=answer.interaction,
        )
        result = {
            "response": answer.response,
            "success": answer.credit >= 1.0,
            "score": {"scaled": round(answer.credit, 4)},
        }
        statements.append(
            statement(
                learner,
                course,
                id_parts=(*ids, "answered", answer.question_id),
                verb="answered",
                object=question,
                result=result,
                parent=assessment,
                **common,
            )
        )
    verdict = "passed" if check.passed else "failed"
    statements.append(
        statement(
            learner,
            course,
            id_parts=(*ids, "result"),
            verb=verdict,
            object=assessment,
            result=scored(check.score, passed=check.passed, seconds=check.seconds),
            **common,
        )
    )
    return statements


@dataclass(frozen=True)
class Conversation:
    """A role-play attempt: one conversation with the simulated customer."""

    attempt_id: int
    scenario_id: str
    title: Text
    started_at: datetime


@dataclass(frozen=True)
class Turn:
    position: int  # 0-based decision number
    node_id: str
    customer_said: Text
    choice_id: str
    state: Mapping[str, int] = field(default_factory=dict)  # D, A, P, T after the step
    # The replies (id, text) in the order this trainee was shown them (shuffled per attempt).
    choices: tuple[tuple[str, Text], ...] = ()


def _simulation(site: Site, course: CourseRef, talk: Conversation) -> dict:
    return activity(
        site.iri("course", course.id, "roleplay", talk.scenario_id), "simulation", talk.title
    )


def roleplay_attempted(learner: Learner, course: CourseRef, talk: Conversation) -> dict:
    site = learner.site
    return statement(
        learner,
        course,
        id_parts=("roleplay-attempt", talk.attempt_id, "attempted"),
        verb="attempted",
        object=_simulation(site, course, talk),
        when=talk.started_at,
        registration=derived_uuid(site, "registration", "roleplay-attempt", talk.attempt_id),
    )


def roleplay_answered(
    learner: Learner, course: CourseRef, talk: Conversation, turn: Turn, when: datetime
) -> dict:
    """One choice the trainee made, the replies in the order they were shown, and the
    customer's state (D, A, P, T) after it."""
    site = learner.site
    simulation = _simulation(site, course, talk)
    interaction: dict[str, Any] = {"interactionType": "choice"}
    if turn.choices:
        interaction["choices"] = [
            {"id": cid, "description": language_map(said)} for cid, said in turn.choices
        ]
    node = activity(
        f"{simulation['id']}/node/{quote(turn.node_id, safe='')}",
        "question",
        turn.customer_said,
        **interaction,
    )
    extensions: dict[str, Any] = {}
    if turn.state:
        extensions[site.iri("extensions", "customer-state")] = dict(turn.state)
    if turn.choices:
        extensions[site.iri("extensions", "shown-order")] = [cid for cid, _ in turn.choices]
    result: dict[str, Any] = {"response": turn.choice_id}
    if extensions:
        result["extensions"] = extensions
    return statement(
        learner,
        course,
        id_parts=("roleplay-attempt", talk.attempt_id, "answered", turn.position),
        verb="answered",
        object=node,
        when=when,
        result=result,
        parent=simulation,
        registration=derived_uuid(site, "registration", "roleplay-attempt", talk.attempt_id),
    )


def roleplay_result(
    learner: Learner,
    course: CourseRef,
    talk: Conversation,
    *,
    score: float,
    passed: bool,
    band: str,
    finished_at: datetime,
    tags: Mapping[str, Sequence[str]] | None = None,
) -> dict:
    """The scored conversation, with the band and the trainee's tagging of the expectations."""
    site = learner.site
    result = scored(score, passed=passed, seconds=(finished_at - talk.started_at).total_seconds())
    result["extensions"] = {site.iri("extensions", "satisfaction-band"): band}
    if tags is not None:
        result["extensions"][site.iri("extensions", "expectation-tags")] = {
            k: list(v) for k, v in tags.items()
        }
    return statement(
        learner,
        course,
        id_parts=("roleplay-attempt", talk.attempt_id, "result"),
        verb="passed" if passed else "failed",
        object=_simulation(site, course, talk),
        when=finished_at,
        result=result,
        registration=derived_uuid(site, "registration", "roleplay-attempt", talk.attempt_id),
    )
