"""One ledger page (50 rows, default sort) through the service vs a raw SELECT of the same rows."""

from __future__ import annotations

from datetime import timedelta

from benchmarks.report import Section, timed
from benchmarks.timing import interleaved
from benchmarks.world import SCHEMA_TABLES, Org, Target, analyze_sql
from workflow.runtime import Rectify
from workflow.services import LedgerFilter, ledger, raise_finding

SERVICE = "ledger() in a read UnitOfWork"
FLOOR = "raw SELECT of the same rows"
PAGE = 50
# What the service asks for: the actor's subtree, newest first, one more row than the page, and
# the responsible unit of each row (the page shows its name).
RAW = ("SELECT f.*, u.id, u.code, u.name_zh, u.name_en, u.kind, u.parent_id, u.path, u.active "
       "FROM findings f JOIN units u ON u.id = f.unit_id "
       "WHERE f.unit_id IN (SELECT id FROM units WHERE path LIKE ?) "
       "ORDER BY f.created_at DESC, f.id DESC LIMIT ?")


def populate(app: Rectify, org: Org, n: int) -> None:
    """n standard findings over groups A and B, each raised in its own unit of work."""
    inspector = org.users["inspector"]
    units = [org.units["group_a"], org.units["group_b"]]
    categories, severities = ("work_safety", "food_safety", "conduct"), ("low", "medium", "high")
    for i in range(n):
        with app.unit_of_work() as uow:
            due = (uow.today() + timedelta(days=i % 60)).isoformat()
            raise_finding(uow, inspector, "standard", {
                "title": f"Finding number {i}", "category": categories[i % 3],
                "severity": severities[i % 3], "unit": units[i % 2].id, "due_date": due})


def measure(app: Rectify, org: Org, target: Target, ops: int, batches: int, key: str, title: str,
            notes: list[str]) -> Section:
    inspector = org.users["inspector"]
    prefix = inspector.unit.path + "%"

    def service() -> list[int]:
        with app.unit_of_work(write=False) as uow:
            return [f.id for f in ledger(uow.session, inspector, LedgerFilter(), uow.today(),
                                         limit=PAGE).items]

    raw = target.connect()
    try:
        def floor() -> list[int]:
            return [row[0] for row in raw.query(RAW, (prefix, PAGE + 1))[:PAGE]]

        if service() != floor():
            raise AssertionError("the raw SELECT does not return the service's page")
        samples = interleaved({FLOOR: floor, SERVICE: service}, ops, batches)
    finally:
        raw.close()
    return timed(key, title, samples, FLOOR, notes)


def analyze(target: Target) -> None:
    """The planner's statistics of the benchmark's tables; on PostgreSQL each table also
    VACUUMed, as autovacuum (on by default) leaves a table minutes after a bulk load: without
    the visibility map an index-only scan reads the heap anyway (My work's count 38 → 4 ms at
    1M). This machine's server runs with autovacuum off, so nothing else would."""
    raw = target.connect()
    try:
        if raw.postgres:
            raw.conn.autocommit = True  # VACUUM runs outside a transaction
            for (table,) in raw.query(SCHEMA_TABLES):
                raw.execute(f"VACUUM ANALYZE {table}")
        else:
            raw.execute(analyze_sql(raw.postgres))
    finally:
        raw.close()



def run(app: Rectify, org: Org, target: Target, n: int, ops: int, batches: int) -> list[Section]:
    """SQLite as the app leaves it (no statistics), then after ANALYZE; PostgreSQL after ANALYZE."""
    populate(app, org, n)
    page = f"{n:,} findings in the actor's scope (+ the 5 the transition runs fire on); page of {PAGE}"
    sections, name = [], target.label.lower()
    if name == "sqlite":
        sections.append(measure(app, org, target, ops, batches, "ledger_sqlite", "Ledger page, SQLite",
                                [page, "no planner statistics, as the app leaves SQLite"]))
        name += "_analyzed"
    analyze(target)
    title = "Ledger page, SQLite after ANALYZE" if name == "sqlite_analyzed" else "Ledger page, PostgreSQL"
    sections.append(measure(app, org, target, ops, batches, f"ledger_{name}", title,
                            [page, "after ANALYZE (PostgreSQL: VACUUM ANALYZE, as autovacuum leaves it)"]))
    return sections
