"""Roster files: a CSV of names and emails, checked row by row before anything is imported."""

import csv
import io
import re
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

from .names import name_problem

MAX_ROWS = 5000
NAME_HEADERS = {"name", "full name", "姓名", "名字"}
EMAIL_HEADERS = {"email", "e-mail", "email address", "邮箱", "电子邮箱", "邮件"}


@dataclass(frozen=True)
class RosterRow:
    line: int
    name: str
    email: str  # normalised: lower-case


@dataclass(frozen=True)
class RosterError:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


class RosterInvalid(Exception):
    def __init__(self, errors: list[RosterError]):
        super().__init__("; ".join(map(str, errors)))
        self.errors = errors


def decode(data: bytes) -> str:
    """UTF-8 with or without a byte-order mark; anything else is refused, not guessed."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RosterInvalid(
            [RosterError(1, "the file is not UTF-8 text (save it as CSV UTF-8)")]
        ) from exc


def parse_roster(text: str) -> list[RosterRow]:
    """Rows of (name, email); a header row naming the columns is optional. Raises
    RosterInvalid listing every bad row, so nothing is imported from a file with errors."""
    rows = list(csv.reader(io.StringIO(text)))
    name_col, email_col, start = 0, 1, 0
    if rows and _is_header(rows[0]):
        header = [_header_cell(cell) for cell in rows[0]]
        name_col = next(i for i, h in enumerate(header) if h in NAME_HEADERS)
        email_col = next(i for i, h in enumerate(header) if h in EMAIL_HEADERS)
        start = 1
    errors: list[RosterError] = []
    result: list[RosterRow] = []
    seen: dict[str, int] = {}
    for index, cells in enumerate(rows[start:], start=start + 1):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines are harmless
        if len(result) + len(errors) >= MAX_ROWS:
            errors.append(RosterError(index, f"too many rows (at most {MAX_ROWS})"))
            break
        if len(cells) <= max(name_col, email_col):
            errors.append(RosterError(index, "needs a name and an email"))
            continue
        name, email = cells[name_col].strip(), cells[email_col].strip()
        if not name:
            errors.append(RosterError(index, "the name is empty"))
            continue
        if len(name) > 200:
            errors.append(RosterError(index, "the name is longer than 200 characters"))
            continue
        if (problem := name_problem(name)) is not None:
            errors.append(RosterError(index, problem))
            continue
        try:
            email = validate_email(email, check_deliverability=False).normalized.lower()
        except EmailNotValidError as exc:
            errors.append(RosterError(index, f"{email!r} is not a valid email address ({exc})"))
            continue
        if email in seen:
            errors.append(RosterError(index, f"{email} is already on line {seen[email]}"))
            continue
        seen[email] = index
        result.append(RosterRow(index, name, email))
    if errors:
        raise RosterInvalid(errors)
    if not result:
        raise RosterInvalid([RosterError(1, "the file has no rows")])
    return result


def _header_cell(cell: str) -> str:
    return re.sub(r"\s+", " ", cell.strip().lower())


def _is_header(cells: list[str]) -> bool:
    """A first row naming both columns (the caller then finds them by the same names)."""
    names = {_header_cell(cell) for cell in cells}
    return bool(names & NAME_HEADERS) and bool(names & EMAIL_HEADERS)
