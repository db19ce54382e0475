"""Verify the hash chains of a range of findings: Core rows streamed in pages (memory flat)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import groupby
from json.scanner import make_scanner
from typing import Any, NamedTuple

from sqlalchemy import Connection, Row, String, and_, func, select, type_coerce

from workflow.chain import (
    AS_READ,
    FROM_GENESIS,
    ChainProblem,
    ChainStart,
    Reading,
    canonical_at,
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


def sqlite_payload(stored: str | None) -> Any:
    """A payload as SQLite stores it (JSON text) -> its value, as the ORM would read it."""
    if stored is None:
        return None
    try:
        value, end = _scan_json(stored, 0)
        if end == len(stored):
            return value
    except StopIteration:
        pass
    return json.loads(stored)  # leading blanks, or not JSON: its own answer


def reading_for(conn: Connection) -> Reading:
    return SQLITE_READING if conn.dialect.name == "sqlite" else AS_READ


SQLITE_READING = Reading(sqlite_stamp, sqlite_payload)


def event_columns(conn: Connection) -> list[Any]:
    """The event columns verify reads; on SQLite the time and the payload as stored text (the
    time is not parsed; the payload is, by payload_of)."""
    if conn.dialect.name != "sqlite":
        return [EVENTS.c[name] for name in (*_EVENT_NAMES, "payload", "created_at")]
    return [*(EVENTS.c[name] for name in _EVENT_NAMES),
            *(type_coerce(EVENTS.c[name], String).label(name) for name in ("payload", "created_at"))]


def verify_range(conn: Connection, first_id: int, last_id: int, tally: Tally | None = None,
                 cutoff: datetime | None = None) -> Iterator[tuple[FindingRef, list[ChainProblem]]]:
    """(finding, problems) for each finding with first_id <= id <= last_id whose chain does not
    verify. With a cut-off: the heads' anchor lines added to the tally, and only the findings
    with something after it (new events, or a head that moved): those events, each chain
    continuing from its head at the cut-off (whose own hash is checked), and the row."""
    tally = tally if tally is not None else Tally()
    after = first_id - 1
    while True:
        page = [_stored_finding(row) for row in conn.execute(
            select(*(FINDINGS.c[n] for n in _FINDING_NAMES))
            .where(FINDINGS.c.id > after, FINDINGS.c.id <= last_id)
            .order_by(FINDINGS.c.id).limit(PAGE))]
        if not page:
            return
        yield from _verify_page(conn, page, tally, cutoff)
        after = page[-1].id


def _verify_page(conn: Connection, page: Sequence[StoredFinding], tally: Tally,
                 cutoff: datetime | None) -> Iterator[tuple[FindingRef, list[ChainProblem]]]:
    low, high = page[0].id, page[-1].id
    in_page = and_(EVENTS.c.finding_id >= low, EVENTS.c.finding_id <= high)
    query = select(*event_columns(conn)).where(in_page)
    heads: dict[int, StoredEvent] = {}
    if cutoff is not None:
        query = query.where(EVENTS.c.created_at > cutoff)
        heads = _heads(conn, in_page, cutoff)
    rows = _stored_events(conn.execute(query.order_by(EVENTS.c.finding_id, EVENTS.c.id)).all())
    chains = {finding_id: list(group) for finding_id, group in groupby(rows, lambda r: r.finding_id)}
    disagreeing = indexes_disagreeing(conn, {f.id: f.parties for f in page},
                                      and_(FindingParty.finding_id >= low,
                                           FindingParty.finding_id <= high))
    reading = reading_for(conn)
    for finding in page:
        head = heads.get(finding.id)
        if head is not None:
            tally.head_lines.append(f"{finding.code}\t{head.seq}\t{head.hash}\n")
        chain = chains.get(finding.id, [])
        tally.findings, tally.events = tally.findings + 1, tally.events + len(chain)
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
        body = canonical_at(finding.code, head.seq, head.trigger, head.from_state, head.to_state,
                            head.actor_id, reading.payload(head.payload), reading.at(head.created_at),
                            head.finding_digest)
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
