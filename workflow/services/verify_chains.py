"""Verify the hash chains of a range of findings: Core rows streamed in pages (memory flat)."""

from __future__ import annotations

from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby
from typing import Any, NamedTuple

from sqlalchemy import (
    Connection,
    Select,
    and_,
    func,
    or_,
    select,
)

from workflow.chain import (
    FROM_GENESIS,
    ChainProblem,
    ChainStart,
    Reading,
    canonical_written,
    event_hash,
    verify_chain,
)
from workflow.models import Event, Finding, FindingParty
from workflow.services.events import digest_of_columns, scheme_of
from workflow.services.parties import indexes_disagreeing
from workflow.services.verify_reading import (
    StoredEvent,
    StoredFinding,
    _stored_events,
    _stored_finding,
    event_columns,
    finding_columns,
    reading_for,
)

FINDINGS, EVENTS = Finding.__table__, Event.__table__
PAGE = 1000  # findings per query: their events come in one more
NO_EVENTS = "the finding has no events (its history was removed)"
PARTIES_DISAGREE = ("the finding_parties index disagrees with the finding's audited parties "
                    "column (one of them was edited outside the engine)")
HEAD_EDITED = ("the anchor's head event does not match its hash (edited; the record up to the "
               "anchor cannot be trusted: run a full verify)")
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
