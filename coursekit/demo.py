"""Demo accounts with some progress, made through the real services (`coursekit demo-data`)."""

import random
from datetime import date

from flask import Flask

from .auth import services as accounts
from .auth.models import Role
from .cohorts import services as cohorts
from .domain.content import Course, Module
from .domain.quiz import Answer, answers_to_form, correct_answers
from .domain.roleplay import advance
from .domain.roleplay import start as start_play
from .domain.roleplay.schema import KINDS
from .domain.roleplay.validate import path_report
from .learn import services as learning
from .learn.tickets import issue_ticket
from .roleplay import services as roleplays
from .state import get_state

PASSWORD = "coursekit-demo"
ACCOUNTS = [
    ("admin@example.com", "Ada Admin", Role.ADMIN, "en"),
    ("instructor@example.com", "王老师 (Wang Laoshi)", Role.INSTRUCTOR, "zh"),
    ("li.na@example.com", "李娜", Role.TRAINEE, "zh"),
    ("tom@example.com", "Tom Baker", Role.TRAINEE, "en"),
    ("zoe@example.com", "Zoë Ñúñez", Role.TRAINEE, "en"),
]


def _half_right(module: Module) -> dict[str, Answer]:
    """Correct answers to the first half of the questions and a wrong one to the rest."""
    answers = correct_answers(module.check)
    for q in module.check.questions[len(module.check.questions) // 2 :]:
        if q.type == "single":
            answers[q.id] = next(o.id for o in q.options if not o.correct)
        elif q.type == "multiple":
            answers[q.id] = frozenset(o.id for o in q.options if not o.correct)
        else:
            first = next(iter(module.check.category_sets[q.categories]))
            answers[q.id] = {item.id: first.id for item in q.items}
    return answers


def _take(app: Flask, session, user_id: int, course: Course, module: Module, answers) -> None:  # type: ignore[no-untyped-def]
    _token, ticket = issue_ticket(app.secret_key, user_id, module.id, module.check.hash)
    learning.submit_check(
        session,
        user_id=user_id,
        course=course,
        module=module,
        ticket=ticket,
        form=answers_to_form(answers),
    )


WORKSHOP_TRAINEES = [
    "陈静",
    "刘洋",
    "Priya Nair",
    "赵磊",
    "Maria Rossi",
    "孙悦",
    "黄伟",
    "Jonas Berg",
    "周婷",
    "吴强",
    "Aiko Tanaka",
    "郑凯",
]


def _workshop(app: Flask, session, course: Course, users: dict) -> None:  # type: ignore[no-untyped-def]
    """The instructor's cohort: the demo trainees and a dozen more, each at a different
    point, with passes, fails and role-plays played well and badly (a fixed seed)."""
    rng = random.Random(2026)
    cohort = cohorts.create(
        session,
        users["instructor@example.com"],
        name="周末工作坊 · Saturday workshop",
        course_id=course.id,
        starts_on=date(2026, 11, 28),
        ends_on=date(2026, 11, 29),
    )
    members = [users["li.na@example.com"], users["tom@example.com"], users["zoe@example.com"]]
    for i, name in enumerate(WORKSHOP_TRAINEES, start=1):
        members.append(
            accounts.register(
                session, email=f"trainee{i:02d}@example.com", name=name, password=PASSWORD
            )
        )
    for user in members:
        cohorts.join(session, user.id, cohort.join_code)
    for user in members[3:]:
        reached = rng.randint(0, len(course.modules))
        for module in course.modules[:reached]:
            learning.complete_lesson(session, user.id, course.id, module.id)
            answers = correct_answers(module.check) if rng.random() < 0.7 else _half_right(module)
            _take(app, session, user.id, course, module, answers)
            for scenario_id in module.roleplays:
                scenario = course.roleplays[scenario_id]
                play = start_play(scenario)
                while not play.finished:  # a random walk: some good moves, some over-promises
                    play = advance(play, rng.choice(scenario.node(play.node_id).choices).id)
                tags = {  # some tag what they found right, others guess one kind
                    e.id: list(e.kinds) if rng.random() < 0.6 else [rng.choice(KINDS)]
                    for e in scenario.spec.expectations
                    if e.id in play.state.revealed
                }
                roleplays.play_path(session, user.id, course, scenario_id, play.path, tags)


def load_demo(app: Flask) -> list[str]:
    """Create the demo accounts unless they exist; return lines describing the logins."""
    state = get_state()
    course = state.course
    session = state.db.sessionmaker()
    try:
        if accounts.find_by_email(session, ACCOUNTS[0][0]) is None:
            users = {
                email: accounts.register(
                    session, email=email, name=name, password=PASSWORD, role=role, locale=locale
                )
                for email, name, role, locale in ACCOUNTS
            }
            li, tom = users["li.na@example.com"], users["tom@example.com"]
            # 李娜 has done everything but the last knowledge check: passing it completes the
            # course and issues her certificate (a retry and a failed role-play on the way).
            last = course.modules[-1]
            for module in course.modules:
                learning.complete_lesson(session, li.id, course.id, module.id)
                if module is course.modules[1]:
                    _take(app, session, li.id, course, module, _half_right(module))
                if module is not last:
                    _take(app, session, li.id, course, module, correct_answers(module.check))
                for scenario_id in module.roleplays:
                    report = path_report(course.roleplays[scenario_id])
                    best, worst = report[0][0], report[-1][0]
                    for path in (worst, best) if module is course.modules[2] else (best,):
                        roleplays.play_path(session, li.id, course, scenario_id, path)
            learning.open_lesson(session, li.id, course.id, last.id)
            first = course.modules[0]  # Tom: read the first lesson, failed its check once
            learning.complete_lesson(session, tom.id, course.id, first.id)
            _take(app, session, tom.id, course, first, _half_right(first))
            _workshop(app, session, course, users)
    finally:
        session.close()
    lines = ["", f"Demo logins (password for all: {PASSWORD}):"]
    lines += [f"  {role.value:<10} {email:<24} {name}" for email, name, role, _ in ACCOUNTS]
    lines.append(
        f"  (and trainee01..trainee{len(WORKSHOP_TRAINEES):02d}@example.com, "
        "in the instructor's workshop cohort)"
    )
    return lines
