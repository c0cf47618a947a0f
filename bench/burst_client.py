"""The trainees of bench/burst.py, as locust users (locust's library mode, one process).

Run by burst.py: python bench/burst_client.py SPEC.json OUT.json. Each user is one logged-in
trainee who, at the times the spec gives, opens the knowledge check, submits it (the hidden
ticket and CSRF token parsed from the form), opens the role-play, starts it and takes six
steps, each from the position and node the page's form shows, following every redirect as a
browser would. Every request is recorded with its status and time; each trainee's
acknowledged submissions are written out for burst.py to compare with the database.
"""

import json
import re
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import gevent
from locust import FastHttpUser, constant, events, task
from locust.env import Environment
from locust.exception import StopUser

HIDDEN_RE = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)"')
CHOICE_RE = re.compile(r'<button type="submit" name="choice" value="([^"]+)"')
FORM = {"Content-Type": "application/x-www-form-urlencoded"}

SPEC: dict[str, Any] = json.loads(Path(sys.argv[1]).read_text()) if __name__ == "__main__" else {}
RECORDS: list[list[Any]] = []  # [kind, status, ms, seconds since T0, error]
OUTCOMES: list[dict[str, Any]] = []
PENDING = list(reversed(SPEC.get("trainees", [])))
T0 = 0.0


class Unexpected(Exception):
    pass


class Trainee(FastHttpUser):
    wait_time = constant(0)
    network_timeout = 120.0
    connection_timeout = 60.0

    def on_start(self) -> None:
        self.spec = PENDING.pop()
        self.cookies = dict(c.split("=", 1) for c in self.spec["cookie"].split("; "))
        self.outcome: dict[str, Any] = {"email": self.spec["email"], "steps": []}

    def call(self, kind: str, method: str, url: str, expect: int, form: Any = None):  # type: ignore[no-untyped-def]
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            headers.update(FORM)
            body = urlencode(form, doseq=True)
        started = time.monotonic()
        error = None
        with self.client.request(
            method, url, name=kind, data=body, headers=headers, allow_redirects=False,
            catch_response=True,
        ) as response:  # fmt: skip
            ms = (time.monotonic() - started) * 1000
            status = response.status_code or 0
            if status != expect:
                error = f"{status} {(response.text or '')[:200]!r}"
                response.failure(error)
            else:
                response.success()
            for raw in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = raw.partition("=")
                value = rest.split(";", 1)[0]
                if value:
                    self.cookies[name] = value
            RECORDS.append([kind, status, ms, started - T0, error])
            if error:
                raise Unexpected(f"{kind}: {error}")
            return response

    def until(self, moment: float) -> None:
        delay = T0 + moment - time.monotonic()
        if delay > 0:
            gevent.sleep(delay)

    @task
    def workshop(self) -> None:
        try:
            self.play()
        except Unexpected as exc:
            self.outcome["error"] = str(exc)
        except Exception as exc:  # a connection error: record it, the trainee stops
            self.outcome["error"] = f"{type(exc).__name__}: {exc}"
            RECORDS.append(["exception", 0, 0.0, time.monotonic() - T0, str(exc)])
        OUTCOMES.append(self.outcome)
        raise StopUser()

    def play(self) -> None:
        spec, times = self.spec, self.spec["times"]
        self.until(spec["open_at"])
        check_url = f"/modules/{spec['module']}/check"
        page = self.call("GET check page", "GET", check_url, 200).text
        fields = dict(HIDDEN_RE.findall(page))
        self.until(times[0])
        self.outcome["check_sent"] = True
        done = self.call(
            "POST check", "POST", check_url, 303,
            {"csrf_token": fields["csrf_token"], "ticket": fields["ticket"], **spec["answers"]},
        )  # fmt: skip
        result_url = done.headers["Location"]
        self.outcome["check_attempt"] = int(result_url.rsplit("/", 1)[1])
        self.call("GET check result", "GET", result_url, 200)
        intro = self.call("GET role-play intro", "GET", f"/roleplays/{spec['scenario']}", 200)
        token = dict(HIDDEN_RE.findall(intro.text))["csrf_token"]
        begun = self.call(
            "POST role-play start", "POST", f"/roleplays/{spec['scenario']}/start", 303,
            {"csrf_token": token},
        )  # fmt: skip
        play_url = begun.headers["Location"]
        self.outcome["attempt"] = int(play_url.rsplit("/", 1)[1])
        page = self.call("GET role-play page", "GET", play_url, 200).text
        for position, choice in enumerate(spec["path"]):
            fields = dict(HIDDEN_RE.findall(page))
            if int(fields["position"]) != position or choice not in CHOICE_RE.findall(page):
                raise Unexpected(f"the page offers no {choice!r} at position {position}")
            self.until(times[1 + position])
            form = {**fields, "choice": choice}
            self.outcome["steps_sent"] = position + 1
            moved = self.call("POST role-play step", "POST", play_url + "/step", 303, form)
            self.outcome["steps"].append(position)
            following = moved.headers["Location"]
            last = position == len(spec["path"]) - 1
            if last and spec["tags"]:  # the ending: tag what was uncovered, then the review
                page = self.call("GET role-play tagging", "GET", following, 200).text
                form = {"csrf_token": dict(HIDDEN_RE.findall(page))["csrf_token"], **spec["tags"]}
                tagged = self.call("POST role-play tags", "POST", f"{play_url}/classify", 303, form)
                following = tagged.headers["Location"]
            if last != following.endswith("/review"):
                raise Unexpected(f"step {position} led to {following}")
            kind = "GET role-play review" if last else "GET role-play page"
            page = self.call(kind, "GET", following, 200).text


def main() -> None:
    global T0
    out_path = sys.argv[2]
    count = len(SPEC["trainees"])
    env = Environment(user_classes=[Trainee], host=SPEC["host"], events=events)
    runner = env.create_local_runner()
    T0 = time.monotonic() + 2.0  # every user is spawned before the first one acts
    runner.start(count, spawn_rate=count * 2)
    deadline = T0 + SPEC["window"] + 300
    while len(OUTCOMES) < count and time.monotonic() < deadline:
        gevent.sleep(0.5)
    runner.quit()
    with open(out_path, "w") as out:
        json.dump({"records": RECORDS, "outcomes": OUTCOMES}, out)


if __name__ == "__main__":
    main()
