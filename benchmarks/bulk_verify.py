"""On the bulk world: `rectify verify`'s walk of every chain (worker processes, as the command
runs it) and its `--since` walk, against one process reading every event and hashing each."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import func, select

from benchmarks.bulk import World
from benchmarks.report import Section, timed
from benchmarks.timing import each_call
from benchmarks.world import Raw, Target
from workflow.models import Event
from workflow.runtime import Rectify
from workflow.services.verify_parallel import Outcome, default_workers, verify_everything

FLOOR = "raw SELECT of every event + sha256 of each, one process"
EVENTS_SQL = ("SELECT id, finding_id, seq, trigger, from_state, to_state, actor_id, prev_hash, "
              "hash, finding_digest, {payload}, {created_at} FROM events ORDER BY finding_id, id")
BATCH = 5000  # rows a fetch brings at most: the floor's memory stays flat too


def read_and_hash(raw: Raw) -> int:
    """FLOOR: every event row the way verify reads them, streamed, and one sha256 of each."""
    text = ("payload::text", "created_at::text") if raw.postgres else ("payload", "created_at")
    sql = EVENTS_SQL.format(payload=text[0], created_at=text[1])
    cursor: Any = raw.conn.cursor(name="verify_floor") if raw.postgres else raw.conn.cursor()
    count = 0
    try:
        cursor.execute(sql)
        while rows := cursor.fetchmany(BATCH):
            for row in rows:
                hashlib.sha256((row[7] + row[10] + row[11]).encode()).hexdigest()
            count += len(rows)
    finally:
        cursor.close()
        if raw.postgres:
            raw.conn.rollback()
    return count


def walk(app: Rectify, since: Any = None) -> Outcome:
    """SERVICE: verify_everything as `rectify verify [--since]` runs it (default workers)."""
    outcome = Outcome()
    broken = list(verify_everything(app.database.engine, default_workers(), since, None, outcome))
    assert not broken, f"{len(broken)} chains do not verify on the generated world"
    return outcome


def verify_section(app: Rectify, target: Target, world: World, rounds: int) -> Section:
    with app.database.engine.connect() as conn:
        last = conn.scalar(select(func.max(Event.created_at)))
    raw = target.connect()
    try:
        assert read_and_hash(raw) == world.events
        samples = each_call({FLOOR: lambda: read_and_hash(raw),
                             f"verify, {default_workers()} worker(s)": lambda: walk(app),
                             "verify --since the last event (heads only)":
                                 lambda: walk(app, last)}, rounds, warmup=0)
    finally:
        raw.close()
    return timed(f"verify_{target.label.lower()}", f"Verify every chain, {target.label}", samples,
                 FLOOR, [f"{world.findings:,} findings, {world.events:,} events",
                         "verify: every chain recomputed, the finding rows' digests and parties "
                         "index checked; --since: every head at the cut-off (the anchor's "
                         "fingerprint), nothing new after it"])
