"""Where a person's rows are, found from the table metadata rather than a hand-kept list, so a
table added later (by any feature) is exported and erased without anyone remembering to.

- owned: a table with a user_id-like foreign key to coursekit_users (its rows are the
  person's: attempts, memberships, identities, ...);
- children: a table one foreign-key hop below an owned table (a role-play attempt's steps);
- actions: any other foreign key to coursekit_users (created_by, revoked_by): rows the person
  acted on, which belong to others, so only their ids are exported.
"""

import enum
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, ColumnElement, MetaData, Table, false, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.types import JSON, Enum, LargeBinary, String

from .. import models  # noqa: F401  (every model registered on Base.metadata)
from ..db import Base

USERS = "coursekit_users"
FORMAT = "coursekit-personal-data/1"
# Secrets and binaries never leave the database, even to their owner: a password hash, a
# stored PDF, keys, tokens, one-time nonces and hashes of secrets.
DENIED_COLUMNS = frozenset(
    {"password_hash", "pdf", "private_pem", "nonce", "value_hash", "state_hash", "token_hash"}
)
DENIED_PARTS = ("password", "secret", "token", "private")
LABEL_COLUMNS = ("name", "title")  # how a referenced row (a cohort, an organisation) is named


@dataclass(frozen=True)
class Link:
    """A foreign key `column` of `table` pointing at `target` (a column of another table)."""

    table: Table
    column: Column
    target: Column


@dataclass(frozen=True)
class PersonMap:
    owned: tuple[Link, ...]
    children: tuple[Link, ...]  # target: a column of an owned table
    actions: tuple[Link, ...]

    def tables(self) -> dict[str, Table]:
        """Every table that holds the person's own rows (owned and children), by name."""
        return {link.table.name: link.table for link in (*self.owned, *self.children)}


def user_like(column: Column) -> bool:
    return column.name == "user_id" or column.name.endswith("_user_id")


def person_map(metadata: MetaData = Base.metadata) -> PersonMap:
    """Classify every foreign key to coursekit_users, and the tables one hop below."""
    owned: list[Link] = []
    actions: list[Link] = []
    for table in metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name == USERS and table.name != USERS:
                link = Link(table, fk.parent, fk.column)
                (owned if user_like(fk.parent) else actions).append(link)
    owned_names = {link.table.name for link in owned}
    children = [
        Link(table, fk.parent, fk.column)
        for table in metadata.sorted_tables
        if table.name not in owned_names and table.name != USERS
        for fk in table.foreign_keys
        if fk.column.table.name in owned_names
    ]
    return PersonMap(tuple(owned), tuple(children), tuple(actions))


def referencing_tables(metadata: MetaData = Base.metadata) -> set[str]:
    """Every table with a foreign key to coursekit_users (what an export must cover)."""
    mapping = person_map(metadata)
    return {link.table.name for link in (*mapping.owned, *mapping.actions)}


def rows_of(mapping: PersonMap, user_id: int) -> Iterator[tuple[Table, ColumnElement[bool]]]:
    """Each table holding the person's rows, with the condition that selects them."""
    owned: dict[str, list[ColumnElement[bool]]] = {}
    for link in mapping.owned:
        owned.setdefault(link.table.name, []).append(link.column == user_id)
    tables = mapping.tables()
    for name, conditions in owned.items():
        yield tables[name], or_(*conditions)
    below: dict[str, list[ColumnElement[bool]]] = {}
    for link in mapping.children:
        parent = link.target.table
        mine = or_(*(c.column == user_id for c in mapping.owned if c.table is parent))
        below.setdefault(link.table.name, []).append(
            link.column.in_(select(link.target).where(mine))
        )
    for name, conditions in below.items():
        yield tables[name], or_(false(), *conditions)


def exportable(column: Column) -> bool:
    name = column.name.lower()
    if name in DENIED_COLUMNS or any(part in name for part in DENIED_PARTS):
        return False
    return not isinstance(column.type, LargeBinary)


def texty(column: Column) -> bool:
    """A column that can hold free text (and so a name or an email)."""
    return isinstance(column.type, String | JSON) and not isinstance(column.type, Enum)


def plain(value: Any) -> Any:
    """A database value as JSON: dates in ISO 8601, enums by value."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return float(value)
    return value


def _select_rows(session: Session, table: Table, where: ColumnElement[bool]) -> list[dict]:
    columns = [c for c in table.columns if exportable(c)]
    order = list(table.primary_key.columns) or columns[:1]
    result = session.execute(select(*columns).where(where).order_by(*order))
    return [{key: plain(value) for key, value in row.items()} for row in result.mappings()]


def export_person(
    session: Session, user_id: int, *, now: datetime, metadata: MetaData = Base.metadata
) -> dict[str, Any] | None:
    """Everything CourseKit holds about one person, as plain JSON-ready data (None: no such
    person). A fixed number of queries per table, whatever the amount of data."""
    users = metadata.tables[USERS]
    people = _select_rows(session, users, users.c.id == user_id)
    if not people:
        return None
    mapping = person_map(metadata)
    tables = {
        table.name: _select_rows(session, table, where)
        for table, where in rows_of(mapping, user_id)
    }
    actions: dict[str, dict[str, list[Any]]] = {}
    for link in mapping.actions:
        keys = list(link.table.primary_key.columns)
        found = session.execute(select(*keys).where(link.column == user_id).order_by(*keys))
        ids = [plain(row[0]) if len(keys) == 1 else [plain(v) for v in row] for row in found]
        actions.setdefault(link.table.name, {})[link.column.name] = ids
    exported = {users.name: people, **tables}
    return {
        "format": FORMAT,
        "exported_at": now.isoformat(),
        "person": people[0],
        "tables": dict(sorted(tables.items())),
        "recorded_actions": dict(sorted(actions.items())),
        "referenced": _labels(session, metadata, exported),
    }


def _labels(
    session: Session, metadata: MetaData, exported: dict[str, list[dict]]
) -> dict[str, dict[str, dict[str, Any]]]:
    """The name or title of rows the exported rows point at (a cohort, an organisation), so
    the export reads on its own; other columns of those rows are not the person's."""
    wanted: dict[str, set[Any]] = {}
    targets: dict[str, Column] = {}
    for name, rows in exported.items():
        for fk in metadata.tables[name].foreign_keys:
            target = fk.column.table
            if target.name in exported or not any(c in target.c for c in LABEL_COLUMNS):
                continue
            values = {row.get(fk.parent.name) for row in rows} - {None}
            if values:
                wanted.setdefault(target.name, set()).update(values)
                targets[target.name] = fk.column
    labels: dict[str, dict[str, dict[str, Any]]] = {}
    for name, ids in sorted(wanted.items()):
        key = targets[name]
        shown = [key.table.c[c] for c in LABEL_COLUMNS if c in key.table.c]
        result = session.execute(select(key, *shown).where(key.in_(sorted(ids))).order_by(key))
        labels[name] = {
            str(row[0]): {c.name: row[i + 1] for i, c in enumerate(shown)} for row in result
        }
    return labels


def to_json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=plain)


def needles(email: str, name: str) -> tuple[str, ...]:
    """What must not survive an erasure in free text: the email, and the name unless it is
    a single character (which would match inside unrelated words)."""
    found = [email.strip()] if email.strip() else []
    if len(name.strip()) >= 2:
        found.append(name.strip())
    return tuple(found)


def replace_in(value: Any, words: Iterable[str], label: str) -> Any:
    """The value with every occurrence of the words (any case) replaced, inside JSON too."""
    if isinstance(value, str):
        lowered = value.lower()
        for word in words:
            start = lowered.find(word.lower())
            while start >= 0:
                value = value[:start] + label + value[start + len(word) :]
                lowered = value.lower()
                start = lowered.find(word.lower(), start + len(label))
        return value
    if isinstance(value, list):
        return [replace_in(item, words, label) for item in value]
    if isinstance(value, dict):
        return {key: replace_in(item, words, label) for key, item in value.items()}
    return value
