"""Content errors that say which file, which field and why."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    file: str
    field: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.field}" if self.field else self.file
        return f"{where}: {self.reason}"


class ContentError(Exception):
    """The content did not validate; `problems` lists every error found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"invalid course content ({len(problems)} problem(s)):\n{lines}")
