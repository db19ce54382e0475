"""Verify the hash chains of a range of findings: Core rows streamed in pages (memory flat)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import groupby
from json.scanner import make_scanner
from typing import Any, NamedTuple

from sqlalchemy import (
    Connection,
    Date,
    DateTime,
    Row,
    Select,
    String,
    Text,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    type_coerce,
)

from workflow.chain import (
    AS_READ,
    FROM_GENESIS,
    ChainProblem,
    ChainStart,
    Reading,
    canonical_written,
    compact_json,
    event_hash,
    timestamp,
    verify_chain,
)
from workflow.models import Event, Finding, FindingParty
from workflow.services.events import AUDITED_BY_SCHEME, CURRENT_SCHEME, digest_of_columns, scheme_of
from workflow.services.parties import indexes_disagreeing

FINDINGS, EVENTS = Finding.__table__, Event.__table__
PAGE = 1000  # findings per query: their events come in one more
NO_EVENTS = "the finding has no events (its history was removed)"
PARTIES_DISAGREE = ("the finding_parties index disagrees with the finding's audited parties "
                    "column (one of them was edited outside the engine)")
HEAD_EDITED = ("the anchor's head event does not match its hash (edited; the record up to the "
               "anchor cannot be trusted: run a full verify)")
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


class FindingRef(NamedTuple):
    """The finding a list of problems is about."""

    id: int
    code: str


@dataclass
class Tally:
    """What a walk covered: findings, events, and (with a cut-off) the anchor's lines."""

    findings: int = 0
    events: int = 0
    head_lines: list[str] = field(default_factory=list)


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


def verify_range(conn: Connection, first_id: int, last_id: int, tally: Tally | None = None,
                 cutoff: datetime | None = None) -> Iterator[tuple[FindingRef, list[ChainProblem]]]:
    """(finding, problems) for each finding with first_id <= id <= last_id whose chain does not
    verify. With a cut-off: the heads' anchor lines added to the tally, and only the findings
    with something after it (new events, no head, or a head that moved): those events, each
    chain continuing from its head at the cut-off (whose own hash is checked), and the row."""
    tally = tally if tally is not None else Tally()
    after = first_id - 1
    while True:
        if cutoff is not None:
            walked = yield from _verify_page_since(conn, after, last_id, tally, cutoff)
            if walked is None:
                return
            after = walked
            continue
        page = [_stored_finding(row) for row in conn.execute(
            select(*finding_columns(conn))
            .where(FINDINGS.c.id > after, FINDINGS.c.id <= last_id)
            .order_by(FINDINGS.c.id).limit(PAGE))]
        if not page:
            return
        in_page = (page[0].id, page[-1].id)
        yield from _verify_page(conn, page, tally, None, in_page)
        after = page[-1].id


def _verify_page_since(conn: Connection, after: int, last_id: int, tally: Tally,
                       cutoff: datetime) -> Generator[tuple[FindingRef, list[ChainProblem]], None,
                                                      int | None]:
    """The next page of findings after `after`: every head at the cut-off into the tally (one
    light row per finding), then only the findings with something new, whole; returns the
    page's last id (None: no findings left)."""
    heads = [row for row in conn.execute(_heads_at(cutoff).where(
        FINDINGS.c.id > after, FINDINGS.c.id <= last_id).order_by(FINDINGS.c.id).limit(PAGE))]
    if not heads:
        return None
    low, high = int(heads[0][0]), int(heads[-1][0])
    fresh = set(conn.scalars(select(EVENTS.c.finding_id).distinct().where(
        EVENTS.c.finding_id >= low, EVENTS.c.finding_id <= high, EVENTS.c.created_at > cutoff)))
    tally.head_lines += [f"{code}\t{seq}\t{digest}\n" for _, code, seq, digest, _ in heads
                         if seq is not None]
    tally.findings += len(heads)
    look = [finding_id for finding_id, _, seq, _, moved in heads
            if seq is None or moved or finding_id in fresh]
    if look:
        page = [_stored_finding(row) for row in conn.execute(
            select(*finding_columns(conn)).where(FINDINGS.c.id.in_(look)).order_by(FINDINGS.c.id))]
        yield from _verify_page(conn, page, tally, cutoff, look)
    return high


def _heads_at(cutoff: datetime) -> Select[Any]:
    """(finding id, code, head seq, head hash, whether the row moved from it) of each finding:
    its head at the cut-off (its last event at or before it; NULLs if none), and whether the
    finding's head or state is no longer that event's."""
    before = EVENTS.alias("before")
    head = EVENTS.alias("head")
    last = (select(func.max(before.c.seq)).where(before.c.finding_id == FINDINGS.c.id,
                                                 before.c.created_at <= cutoff)
            .scalar_subquery())
    moved = or_(head.c.seq != FINDINGS.c.last_seq, head.c.hash != FINDINGS.c.last_hash,
                head.c.to_state != FINDINGS.c.state)
    return (select(FINDINGS.c.id, FINDINGS.c.code, head.c.seq, head.c.hash, moved)
            .select_from(FINDINGS.outerjoin(head, and_(head.c.finding_id == FINDINGS.c.id,
                                                       head.c.seq == last))))


def _verify_page(conn: Connection, page: Sequence[StoredFinding], tally: Tally,
                 cutoff: datetime | None, ids: tuple[int, int] | list[int],
                 ) -> Iterator[tuple[FindingRef, list[ChainProblem]]]:
    """The page's findings (ids: the page's id bounds, or with a cut-off the ids walked):
    every chain from its beginning, or with a cut-off from its head then (the heads' lines are
    the caller's)."""
    def of_page(column: Any) -> Any:
        return column.in_(ids) if isinstance(ids, list) else column.between(*ids)

    in_page = of_page(EVENTS.c.finding_id)
    query = select(*event_columns(conn)).where(in_page)
    heads: dict[int, StoredEvent] = {}
    if cutoff is not None:
        query = query.where(EVENTS.c.created_at > cutoff)
        heads = _heads(conn, in_page, cutoff)
    rows = _stored_events(conn.execute(query.order_by(EVENTS.c.finding_id, EVENTS.c.id)).all())
    chains = {finding_id: list(group) for finding_id, group in groupby(rows, lambda r: r.finding_id)}
    disagreeing = indexes_disagreeing(conn, {f.id: f.parties for f in page},
                                      of_page(FindingParty.finding_id))
    reading = reading_for(conn)
    for finding in page:
        head = heads.get(finding.id)
        chain = chains.get(finding.id, [])
        tally.events += len(chain)
        if cutoff is None:
            tally.findings += 1
        if head is not None and not chain and _still_at(finding, head):
            continue  # nothing new since the cut-off, and the row's head is the anchor's
        problems = _verify_finding(finding, chain, head, reading)
        if finding.id in disagreeing:
            problems.append(ChainProblem(finding.id, None, None, PARTIES_DISAGREE))
        if problems:
            yield FindingRef(finding.id, finding.code), problems


def _verify_finding(finding: StoredFinding, chain: list[StoredEvent], head: StoredEvent | None,
                    reading: Reading) -> list[ChainProblem]:
    if head is None and not chain:  # every finding is raised with an event: none means removed
        return [ChainProblem(finding.id, None, None, NO_EVENTS)]
    start, problems = FROM_GENESIS, []
    if head is not None:
        start = ChainStart(head.hash, head.seq + 1, head.to_state, head.finding_digest)
        body = canonical_written(finding.code, head.seq, head.trigger, head.from_state,
                                 head.to_state, head.actor_id, reading.payload_json(head.payload),
                                 reading.at(head.created_at), head.finding_digest)
        if event_hash(head.prev_hash, body) != head.hash:
            problems.append(ChainProblem(finding.id, head.seq, head.id, HEAD_EDITED))
    last_digest = chain[-1].finding_digest if chain else start.finding_digest
    current = digest_of_columns(finding.columns, scheme_of(last_digest))
    return problems + verify_chain(finding.id, finding.code, chain, finding.last_seq,
                                   finding.last_hash, finding.state, current, reading, start)


def _still_at(finding: StoredFinding, head: StoredEvent) -> bool:
    """Whether the finding's head and state are those of its head at the cut-off."""
    return (finding.last_seq, finding.last_hash, finding.state) == (head.seq, head.hash,
                                                                     head.to_state)


def _heads(conn: Connection, in_page: Any, cutoff: datetime) -> dict[int, StoredEvent]:
    """Each finding's last event at or before the cut-off (the anchor's head), whole."""
    last = (select(EVENTS.c.finding_id, func.max(EVENTS.c.seq).label("seq"))
            .where(in_page, EVENTS.c.created_at <= cutoff)
            .group_by(EVENTS.c.finding_id).subquery())
    rows = conn.execute(select(*event_columns(conn)).join(
        last, and_(EVENTS.c.finding_id == last.c.finding_id, EVENTS.c.seq == last.c.seq)))
    return {event.finding_id: event for event in _stored_events(rows)}
