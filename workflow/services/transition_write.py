"""A transition's rows as Core statements: the finding's UPDATE (the columns the transition
changed on the loaded object, its version checked and bumped), the event's INSERT and its
notifications' INSERT, instead of an ORM flush (one statement on PostgreSQL); the object is then
marked as saved, as a flush would leave it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    ColumnElement,
    Insert,
    bindparam,
    cast,
    column,
    func,
    insert,
    inspect,
    select,
    true,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from workflow.errors import StaleFinding
from workflow.models import Event, Finding
from workflow.services.notify import NOTIFICATIONS, NOTIFICATIONS_INSERT

FINDINGS = Finding.metadata.tables[Finding.__tablename__]
EVENTS = Event.metadata.tables[Event.__tablename__]
_EVENT_COLUMNS = tuple(c.key for c in EVENTS.columns if c.key != "id")
# The finding's many-to-one relationships: a changed one writes its foreign key column(s).
_FOREIGN_KEYS = {rel.key: [(str(local.key), str(remote.key))
                            for local, remote in rel.local_remote_pairs]
                 for rel in inspect(Finding).relationships if rel.direction.name == "MANYTOONE"}


def changed_columns(finding: Finding) -> dict[str, Any]:
    """The finding's columns set since it was loaded or last written, by the names the UPDATE
    takes (a relationship set to another row: its foreign key)."""
    state = inspect(finding)
    changed: dict[str, Any] = {}
    for key, old in state.committed_state.items():
        value = state.dict.get(key)
        if key in _FOREIGN_KEYS:
            for local, remote in _FOREIGN_KEYS[key]:
                changed.setdefault(local, getattr(value, remote) if value is not None else None)
        elif value != old:
            changed[key] = value
    return changed


def save_transition(session: Session, finding: Finding, event: Event,
                    notes: Sequence[dict[str, Any]] = ()) -> None:
    """Write the finding's changed columns (its version checked: StaleFinding when another
    transaction moved it since it was read), insert its event and the notifications' rows
    (`notes`, as notify_people gives them), in the session's transaction: one statement on
    PostgreSQL (the UPDATE in a WITH, the INSERTs from what it returned), three on SQLite (no
    UPDATE inside a WITH; in process, a statement costs no round trip). Whatever else the
    transition added to the session is flushed by the caller."""
    connection = session.connection()
    changed = changed_columns(finding)
    row = {key: getattr(event, key) for key in _EVENT_COLUMNS} | {"finding_id": finding.id}
    if not changed:  # a flush inside the transition wrote the row already
        connection.execute(_INSERT_EVENT, row)
        if notes:
            connection.execute(NOTIFICATIONS_INSERT, list(notes))
        return
    version = finding.version
    where = {"where_id": finding.id, "where_version": version}
    if connection.dialect.name == "postgresql":
        params = {f"set_{key}": value for key, value in changed.items()} | where | {
            "set_version": version + 1, **{f"event_{key}": row[key] for key in _EVENT_VALUES}}
        if notes:
            params["notes"] = [{key: note[key] for key in _NOTE_KEYS}
                               | {"created_at": note["created_at"].isoformat()} for note in notes]
        written = len(connection.execute(_update_and_insert(tuple(sorted(changed)), bool(notes)),
                                         params).all())
    else:
        written = connection.execute(_UPDATE, changed | where | {"version": version + 1}).rowcount
    if written != 1:
        raise StaleFinding(finding.id, version, None)
    if connection.dialect.name != "postgresql":
        connection.execute(_INSERT_EVENT, row)
        if notes:
            connection.execute(NOTIFICATIONS_INSERT, list(notes))
    set_committed_value(finding, "version", version + 1)
    # What a flush does after its UPDATE: every attribute committed, the object clean (no
    # longer in session.dirty), so the commit's flush has nothing to write for it.
    state = inspect(finding)
    state._commit_all(state.dict, session.identity_map)


# Built once: the SET clause is the parameters' column names, so one statement serves every
# set of changed columns (each set compiled once, then cached).
_UPDATE = update(FINDINGS).where(FINDINGS.c.id == bindparam("where_id"),
                                 FINDINGS.c.version == bindparam("where_version"))
_INSERT_EVENT = insert(EVENTS)
_EVENT_VALUES = tuple(key for key in _EVENT_COLUMNS if key != "finding_id")
_BOTH: dict[tuple[tuple[str, ...], bool], Insert] = {}
# A notification's columns but its finding (the moved row's id) and created_at (as text: in JSON).
_NOTE_KEYS = ("key", "user_id", "kind", "params")


def _update_and_insert(keys: tuple[str, ...], notes: bool) -> Insert:
    """WITH moved AS (UPDATE findings SET <keys>, version WHERE id AND version RETURNING id)
    [, notes AS (INSERT INTO notifications SELECT … FROM moved, json_to_recordset(:notes))]
    INSERT INTO events SELECT moved.id, <the event's values> FROM moved RETURNING id: no row
    moved, no event, no notification and no row returned (psycopg gives no rowcount for a
    WITH). One statement per set of changed columns, with or without notifications, built
    once."""
    if (keys, notes) not in _BOTH:
        moved = (update(FINDINGS)
                 .where(FINDINGS.c.id == bindparam("where_id"),
                        FINDINGS.c.version == bindparam("where_version"))
                 .values({FINDINGS.c[key]: _typed("set_", FINDINGS.c[key])
                          for key in (*keys, "version")})
                 .returning(FINDINGS.c.id).cte("moved"))
        values = [_typed("event_", EVENTS.c[key]) for key in _EVENT_VALUES]
        both = insert(EVENTS).from_select(["finding_id", *_EVENT_VALUES],
                                          select(moved.c.id, *values)).returning(EVENTS.c.id)
        if notes:
            rows = func.json_to_recordset(bindparam("notes", type_=JSON)).table_valued(
                *(column(key, NOTIFICATIONS.c[key].type) for key in (*_NOTE_KEYS, "created_at"))
            ).render_derived(name="note", with_types=True)
            told = insert(NOTIFICATIONS).from_select(
                [*_NOTE_KEYS, "created_at", "finding_id"],
                select(*(rows.c[key] for key in (*_NOTE_KEYS, "created_at")), moved.c.id)
                .select_from(moved.join(rows, true()))).cte("told")
            both = both.add_cte(told)
        _BOTH[(keys, notes)] = both
    return _BOTH[(keys, notes)]


def _typed(prefix: str, column: Column[Any]) -> ColumnElement[Any]:
    """A parameter for the column, cast to its type (a bare parameter in a SELECT list is text
    to PostgreSQL, which a json column refuses)."""
    return cast(bindparam(prefix + column.key, type_=column.type), column.type)
