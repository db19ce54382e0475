"""How verify reads stored rows: Core tuples, with times and payloads as the hashes use them."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from json.scanner import make_scanner
from typing import Any, NamedTuple

from sqlalchemy import (
    Connection,
    Date,
    DateTime,
    Row,
    String,
    Text,
    and_,
    case,
    cast,
    func,
    literal,
    type_coerce,
)

from workflow.chain import (
    AS_READ,
    Reading,
    compact_json,
    timestamp,
)
from workflow.models import Event, Finding
from workflow.services.events import AUDITED_BY_SCHEME, CURRENT_SCHEME

FINDINGS, EVENTS = Finding.__table__, Event.__table__

_FINDING_NAMES = dict.fromkeys(("id", "code", "last_seq", "last_hash", "state", "parties",
                                *AUDITED_BY_SCHEME[CURRENT_SCHEME]))
_EVENT_NAMES = ("id", "finding_id", "seq", "trigger", "from_state", "to_state", "actor_id",
                "prev_hash", "hash", "finding_digest")
_scan_json = make_scanner(json.JSONDecoder())  # type: ignore[arg-type]  # the C scanner takes a decoder
_SQLITE_TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}")
PAYLOAD_MEMO = 20_000  # distinct stored payload texts whose compact JSON a process keeps at most


class StoredEvent(NamedTuple):
    """An event row as verify reads it (event_columns' order; a plain tuple: fast to read)."""

    id: int
    finding_id: int
    seq: int
    trigger: str
    from_state: str | None
    to_state: str
    actor_id: int
    prev_hash: str
    hash: str
    finding_digest: str
    payload: Any
    created_at: Any


class StoredFinding(NamedTuple):
    """A finding row as verify reads it: what the chain check needs, and every column read."""

    id: int
    code: str
    last_seq: int
    last_hash: str
    state: str
    parties: str
    columns: dict[str, Any]


def _stored_finding(row: Sequence[Any]) -> StoredFinding:
    return StoredFinding(row[0], row[1], row[2], row[3], row[4], row[5],
                         dict(zip(_FINDING_NAMES, row, strict=True)))


def _stored_events(rows: Iterable[Row[Any]]) -> list[StoredEvent]:
    return [tuple.__new__(StoredEvent, row) for row in rows]



def sqlite_stamp(stored: str | datetime) -> str:
    """An event time as SQLite stores it ("2026-03-02 15:59:59.123456", UTC) -> its hash text;
    anything else is parsed as the ORM would and then written the one way."""
    if isinstance(stored, str) and _SQLITE_TIME.fullmatch(stored):
        return f"{stored[:10]}T{stored[11:]}Z"
    moment = stored if isinstance(stored, datetime) else datetime.fromisoformat(stored)
    return timestamp(moment if moment.tzinfo else moment.replace(tzinfo=UTC))


def stored_payload(stored: str | None) -> Any:
    """A payload as stored (JSON text) -> its value, as the ORM would read it."""
    if stored is None:
        return None
    try:
        value, end = _scan_json(stored, 0)
        if end == len(stored):
            return value
    except StopIteration:
        pass
    return json.loads(stored)  # leading blanks, or not JSON: its own answer


def memo_payload_json(limit: int = PAYLOAD_MEMO) -> Callable[[str | None], str]:
    """stored payload text -> the compact JSON its hash covers, each distinct text parsed and
    written once (most events carry one of a few standard payloads); the memo is emptied when
    it holds `limit` texts, so memory stays flat."""
    memo: dict[str | None, str] = {}

    def payload_json(stored: str | None) -> str:
        written = memo.get(stored)
        if written is None:
            if len(memo) >= limit:
                memo.clear()
            written = memo[stored] = compact_json(stored_payload(stored))
        return written
    return payload_json


def reading_for(conn: Connection) -> Reading:
    return _READINGS.get(conn.dialect.name, AS_READ)


_payload_json = memo_payload_json()
# SQLite: the time as stored, rewritten; PostgreSQL: the time as the server wrote it (to_char).
_READINGS = {"sqlite": Reading(sqlite_stamp, _payload_json),
             "postgresql": Reading(str, _payload_json)}


def event_columns(conn: Connection) -> list[Any]:
    """The event columns verify reads; the payload as its stored JSON text (parsed once per
    distinct text), the time as text: on SQLite as stored, on PostgreSQL written by the server
    in UTC the one way timestamp() writes it (no datetime made per event)."""
    columns = [EVENTS.c[name] for name in _EVENT_NAMES]
    if conn.dialect.name == "sqlite":
        return [*columns, *(type_coerce(EVENTS.c[name], String).label(name)
                            for name in ("payload", "created_at"))]
    if conn.dialect.name == "postgresql":
        return [*columns, cast(EVENTS.c.payload, Text).label("payload"),
                server_text(EVENTS.c.created_at)]
    return [*columns, EVENTS.c.payload, EVENTS.c.created_at]


def finding_columns(conn: Connection) -> list[Any]:
    """The finding columns verify reads (_FINDING_NAMES' order); on PostgreSQL the dates and
    times as the text the digest writes of them (server_text), which JSON writes alike."""
    columns = [FINDINGS.c[name] for name in _FINDING_NAMES]
    if conn.dialect.name != "postgresql":
        return columns
    return [server_text(c) if isinstance(c.type, (Date, DateTime)) or
            isinstance(getattr(c.type, "impl", None), DateTime) else c for c in columns]


# How timestamp() and date.isoformat() write a date or time, for PostgreSQL's to_char; a value
# Python cannot hold (BC, infinity, which to_char would write as a year or not at all) comes
# back as text no genuine value has.
_PG_TEXT = {"time": ('YYYY-MM-DD"T"HH24:MI:SS.US"Z"', "0001-01-01 00:00:00+00"),
            "date": ("YYYY-MM-DD", "0001-01-01")}


def server_text(column: Any) -> Any:
    """A date or UTC time column as PostgreSQL writes it the one way the hashes do, labelled
    with the column's name (NULL stays NULL)."""
    is_time = not isinstance(column.type, Date)
    form, first = _PG_TEXT["time" if is_time else "date"]
    value = func.timezone(literal("UTC"), column) if is_time else column
    in_range = and_(column >= cast(literal(first), column.type), func.isfinite(column))
    return case((in_range, func.to_char(value, literal(form))),
                else_=literal("not a Python date: ") + cast(column, Text)).label(column.name)
