"""One `tick` pass over many open findings of which a few fall due, against a raw floor; and the
query plan of its due query, which must walk ix_findings_next_ladder_on, not every open finding."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from time import perf_counter_ns
from typing import Any

from sqlalchemy import insert

from benchmarks.floor import AUDITED, chain_hash
from benchmarks.report import Section, timed
from benchmarks.timing import Sample
from benchmarks.world import Org, Raw, Target, analyze_sql
from workflow.chain import row_digest
from workflow.models import Finding
from workflow.runtime import Rectify
from workflow.services.events import CURRENT_SCHEME
from workflow.services.tick import due_query, tick

FLOOR = "raw SQL: the due rows by the index; per row UPDATE (version checked), INSERT event, COMMIT"
TICK = "tick(): claim, ladder step, event, notifications, reschedule, one commit per finding"
INSERT_ROWS = 5000  # rows per bulk INSERT


def last_working_day(app: Rectify, today: date) -> date:
    """The due findings' due date: due_today falls due on it, so it must be a working day."""
    day = today
    while not app.calendar.is_working_day(day):
        day -= timedelta(days=1)
    return day


def populate(app: Rectify, org: Org, anchor: date, open_n: int, due_n: int) -> None:
    """open_n assigned standard findings in bulk; due_n of them due on `anchor` with due_soon
    already fired (so exactly one step, due_today, falls due); the rest due 30-89 days later."""
    today = anchor
    lifecycle = app.registry.get("standard")
    unit, inspector = org.units["group_a"], org.users["inspector"]
    now, nexts = datetime.now(UTC), {}
    for offset in range(30, 90):
        due = today + timedelta(days=offset)
        nexts[due] = app.calendar.deadline(due, -3, "working").date  # due_soon
    spread = max(1, open_n // due_n)
    rows = []
    for i in range(open_n):
        due = today if i % spread == 0 and i // spread < due_n else today + timedelta(30 + i % 60)
        rows.append({
            "code": f"B-{i:07d}", "title": f"Finding {i}", "description": "", "category":
            "work_safety", "severity": "medium", "unit_id": unit.id, "requirement": "Fix it",
            "due_date": due, "lifecycle": lifecycle.name, "lifecycle_version": lifecycle.version,
            "definition_hash": lifecycle.digest, "state": "assigned", "is_open": True,
            "rework_rounds": 0, "version": 1, "raised_by_id": inspector.id,
            "raised_by_unit_id": inspector.unit_id, "created_at": now, "updated_at": now,
            "last_seq": 0, "last_hash": "", "due_basis": "working", "acknowledged_at": now,
            "ladder_fired": f"due_soon@{today.isoformat()}" if due == today else "",
            "overdue_level": 0, "recurrences": 0,
            "next_ladder_on": today if due == today else nexts[due]})
    with app.database.engine.begin() as conn:
        for start in range(0, len(rows), INSERT_ROWS):
            conn.execute(insert(Finding), rows[start:start + INSERT_ROWS])


def reset(raw: Raw, anchor: date) -> None:
    """Make the same findings due again (events stay: each pass appends to their chains); only
    the ones populate() wrote (codes B-…): other cases' findings in the same database may be due
    on the same day (on a working day the ledger case raises some due today)."""
    raw.begin()
    day = anchor.isoformat()
    raw.execute("UPDATE findings SET next_ladder_on = ?, ladder_fired = ?, overdue_level = 0 "
                "WHERE due_date = ? AND code LIKE ?", (day, f"due_soon@{day}", day, "B-%"))
    raw.commit()


class FloorPass:
    """The writes a ladder step needs at the least: read the due rows by the index; per row,
    UPDATE it with the version checked and INSERT its sha256-chained event; COMMIT each."""

    def __init__(self, raw: Raw, anchor: date, actor_id: int) -> None:
        self.raw, self.anchor, self.actor_id = raw, anchor, actor_id

    def __call__(self) -> None:
        raw, today = self.raw, self.anchor
        rows = raw.query(f"SELECT id, version, last_seq, last_hash, {', '.join(AUDITED)} "
                         "FROM findings WHERE next_ladder_on <= ? ORDER BY next_ladder_on, id",
                         (today.isoformat(),))
        mark = f"due_soon@{today.isoformat()} due_today@{today.isoformat()}"
        payload = {"step": "due_today", "clock": "rectify", "anchor": today.isoformat()}
        for finding_id, version, seq, prev, *audited in rows:
            row = dict(zip(AUDITED, audited, strict=True))
            row["ladder_fired"] = mark
            now = datetime.now(UTC)
            digest = f"{CURRENT_SCHEME}:{row_digest(row)}"
            hashed = chain_hash(prev or "", row["code"], seq + 1, "ladder", "assigned", "assigned",
                                self.actor_id, payload, raw.stamp(now), digest)
            raw.begin()
            updated = raw.execute(
                "UPDATE findings SET ladder_fired = ?, next_ladder_on = NULL, version = ?, "
                "last_seq = ?, last_hash = ? WHERE id = ? AND version = ?",
                (mark, version + 1, seq + 1, hashed, finding_id, version)).rowcount
            if updated != 1:
                raise RuntimeError("version check failed")
            raw.execute("INSERT INTO events (finding_id, seq, trigger, from_state, to_state, "
                        "actor_id, payload, created_at, prev_hash, hash, finding_digest) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (finding_id, seq + 1, "ladder", "assigned", "assigned", self.actor_id,
                         json.dumps(payload), raw.stamp(now), prev, hashed, digest))
            raw.commit()


def plan(app: Rectify, today: date) -> str:
    """EXPLAIN of the tick's due query on this backend, one line."""
    with app.database.engine.connect() as conn:
        compiled = due_query(today).compile(conn)
        if conn.dialect.name == "sqlite":
            params: Any = tuple(_plain(compiled.params[name]) for name in compiled.positiontup or ())
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", params).all()
            return "; ".join(str(row[-1]) for row in rows)
        rows = conn.exec_driver_sql(f"EXPLAIN {compiled}", compiled.params).all()
        return "; ".join(" ".join(str(row[0]).split()) for row in rows)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def measure(cases: dict[str, Callable[[], object]], before: Callable[[], None],
            batches: int) -> dict[str, Sample]:
    """Each case once per batch after `before`, order rotating, a warm-up batch first."""
    names = list(cases)
    times: dict[str, list[float]] = {name: [] for name in names}
    for batch in range(1 + batches):
        shift = batch % len(names)
        for name in names[shift:] + names[:shift]:
            before()
            start = perf_counter_ns()
            cases[name]()
            if batch:
                times[name].append((perf_counter_ns() - start) / 1000)
    return {name: Sample.of(times[name], 1) for name in names}


def run(app: Rectify, org: Org, target: Target, open_n: int, due_n: int, batches: int) -> Section:
    today = datetime.now(app.zone).date()
    now, anchor = datetime.combine(today, time(9), app.zone).astimezone(UTC), last_working_day(app, today)
    populate(app, org, anchor, open_n, due_n)
    raw = target.connect()
    try:
        if raw.postgres:
            raw.execute(analyze_sql(True))
            raw.commit()
        floor = FloorPass(raw, anchor, org.users["inspector"].id)

        def one_tick() -> None:
            report = tick(app, now)
            if report.touched != due_n:
                raise AssertionError(f"tick touched {report.touched}, not {due_n}")

        samples = measure({FLOOR: floor, TICK: one_tick}, lambda: reset(raw, anchor), batches)
    finally:
        raw.close()
    notes = [f"{open_n:,} open findings, {due_n:,} due (one ladder step each, two people told); "
             "times are per pass", f"due query plan: {plan(app, today)}"]
    return timed(f"tick_{target.label.lower()}", f"Tick, {target.label}", samples, FLOOR, notes)
