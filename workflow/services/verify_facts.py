"""Verify the facts kept on each findings row for the statistics and the export against its events.

The facts (services.stats_facts: when raised, reported, confirmed, the stays; services.ledger_facts:
the measures, the due-date changes, the last action) are derived from the events, not covered by
the finding's digest: a row edited outside the engine would change the numbers without breaking a
chain. Each is folded again from the events, by the very functions that keep it, and compared."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from itertools import groupby
from typing import Any

from sqlalchemy import Connection, Text, cast, select

from workflow.models import Event, Finding
from workflow.services.ledger_facts import EMPTY_FACTS, facts_after, read_payload
from workflow.services.stats_facts import FACTS, meaning_of, replay
from workflow.services.verify_chains import FindingRef
from workflow.spec import Registry

FINDINGS, EVENTS = Finding.__table__, Event.__table__
FACT_COLUMNS = (*FACTS, *EMPTY_FACTS)
PAGE = 1000  # findings per query: their events come in one more


def facts_disagreeing(conn: Connection, registry: Registry,
                      progress: Callable[[int], object] | None = None,
                      ) -> Iterator[tuple[FindingRef, list[str]]]:
    """(finding, the fact columns its events do not give) for each finding whose row disagrees,
    in id order; progress(n) after each page of n findings. Findings without events are the
    chain check's (NO_EVENTS) and skipped here."""
    after = 0
    while True:
        page = conn.execute(
            select(FINDINGS.c.id, FINDINGS.c.code, FINDINGS.c.lifecycle,
                   FINDINGS.c.lifecycle_version, *(FINDINGS.c[name] for name in FACT_COLUMNS))
            .where(FINDINGS.c.id > after).order_by(FINDINGS.c.id).limit(PAGE)).all()
        if not page:
            return
        events = conn.execute(
            select(EVENTS.c.finding_id, EVENTS.c.trigger, EVENTS.c.from_state, EVENTS.c.to_state,
                   EVENTS.c.actor_id, cast(EVENTS.c.payload, Text).label("payload"),
                   EVENTS.c.created_at)
            .where(EVENTS.c.finding_id.between(page[0].id, page[-1].id))
            .order_by(EVENTS.c.finding_id, EVENTS.c.seq))
        chains = {finding_id: list(rows) for finding_id, rows in
                  groupby(events, lambda row: row.finding_id)}
        for row in page:
            chain = chains.get(row.id)
            if not chain:
                continue
            wrong = _disagreeing(row, expected_facts(registry, row.lifecycle,
                                                     row.lifecycle_version, chain))
            if wrong:
                yield FindingRef(row.id, row.code), wrong
        if progress is not None:
            progress(len(page))
        after = page[-1].id


def expected_facts(registry: Registry, lifecycle: str, version: int,
                   chain: Sequence[Any]) -> dict[str, Any]:
    """Every fact column as the events (rows with trigger, from_state, to_state, actor_id, payload
    text, created_at, in seq order) give it: the stays and moments in the meaning of the version
    the finding runs on now (a migration replays them in it: stats_facts.note_event)."""
    meaning = meaning_of(registry.get(lifecycle, version))
    facts = replay(meaning, ((e.trigger, e.from_state, e.to_state, e.created_at) for e in chain))
    history = dict(EMPTY_FACTS)
    for e in chain:
        history.update(facts_after(history["due_changes"], e.trigger, e.actor_id,
                                   read_payload(e.payload or "{}"), e.created_at))
    return {**facts, **history}


def _disagreeing(row: Any, expected: dict[str, Any]) -> list[str]:
    stored = row._mapping
    return [name for name in FACT_COLUMNS if stored[name] != expected[name]]
