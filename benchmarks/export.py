"""The 整改台账 export of one unit's findings (10,000 by default), XLSX and CSV, against a raw
SELECT written with csv: time per export, and the tracemalloc peak of each."""

from __future__ import annotations

import csv
import gc
import tempfile
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select

from benchmarks.report import Section, sized, timed
from benchmarks.timing import interleaved
from benchmarks.world import Org, Target
from workflow.ledger_files import csv_chunks, write_xlsx
from workflow.models import Event, Finding, Unit
from workflow.runtime import Rectify
from workflow.services import LedgerFilter
from workflow.services.directory import create_unit
from workflow.services.ledger_export import LedgerExport

ROWS = 10_000
FLOOR = "raw SELECT written with csv.writer"
XLSX, CSV = "export_xlsx(): every column, write-only workbook", "csv_chunks(): every column"
# The floor reads what the export's own columns come from, in one statement: the finding, its
# unit's name, the raiser's name, and the last event's measures text; and writes it as CSV.
RAW = ("SELECT f.code, f.title, f.description, f.category, f.severity, u.name_zh, r.display_name, "
       "f.created_at, f.requirement, f.due_date, f.state, f.rework_rounds, f.closed_at, "
       "(SELECT e.payload FROM events e WHERE e.finding_id = f.id ORDER BY e.seq DESC LIMIT 1) "
       "FROM findings f JOIN units u ON u.id = f.unit_id JOIN users r ON r.id = f.raised_by_id "
       "WHERE f.unit_id = ? ORDER BY f.created_at DESC, f.id DESC")


def populate(app: Rectify, org: Org, rows: int) -> Unit:
    """`rows` assigned findings in a unit of their own, bulk-inserted, each with a raise event
    and a reported rectification (the export reads both)."""
    lifecycle, inspector = app.registry.get("standard"), org.users["inspector"]
    now = datetime.now(UTC)
    with app.unit_of_work() as uow:
        unit = create_unit(uow.session, "EXP", "导出集团", "Export group", "group",
                           uow.session.get(Unit, org.units["body"].id))
        uow.commit()
        unit_id = unit.id
    findings = [{
        "code": f"E-{i:07d}", "title": f"安全通道堵塞 {i}", "description": "三楼东侧通道堆放纸箱",
        "category": "work_safety", "severity": "medium", "unit_id": unit_id,
        "requirement": "清理通道", "due_date": (now + timedelta(days=i % 60)).date(),
        "lifecycle": lifecycle.name, "lifecycle_version": lifecycle.version,
        "definition_hash": lifecycle.digest, "state": "rectified", "is_open": True,
        "rework_rounds": 0, "version": 1, "raised_by_id": inspector.id,
        "raised_by_unit_id": inspector.unit_id, "created_at": now, "updated_at": now,
        "last_seq": 2, "last_hash": "", "due_basis": "working"} for i in range(rows)]
    with app.database.engine.begin() as conn:
        conn.execute(insert(Finding), findings)
        ids = list(conn.scalars(select(Finding.id).where(Finding.unit_id == unit_id)))
        conn.execute(insert(Event), [event for fid in ids for event in _events(fid, inspector.id,
                                                                             now)])
    return unit


def _events(finding_id: int, actor_id: int, now: datetime) -> list[dict[str, object]]:
    base = {"finding_id": finding_id, "actor_id": actor_id, "created_at": now, "prev_hash": "",
            "hash": "", "finding_digest": ""}
    return [{**base, "seq": 1, "trigger": "raise", "from_state": None, "to_state": "found",
             "payload": {"due_date": now.date().isoformat()}},
            {**base, "seq": 2, "trigger": "report_rectification", "from_state": "assigned",
             "to_state": "rectified", "payload": {"measures": "清理纸箱，设专人巡查"}}]


def peak(work: Callable[[], object]) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        work()
        return float(tracemalloc.get_traced_memory()[1])
    finally:
        tracemalloc.stop()


def run(app: Rectify, org: Org, target: Target, rows: int, batches: int) -> list[Section]:
    unit = populate(app, org, rows)
    inspector, flt = org.users["inspector"], LedgerFilter(unit_id=unit.id)

    def export(kind: str) -> Callable[[], int]:
        def work() -> int:
            with app.unit_of_work(write=False) as uow, tempfile.TemporaryFile() as out:
                exported = LedgerExport(uow, inspector, flt, "zh")
                if kind == "xlsx":
                    write_xlsx(exported, out)
                else:
                    for chunk in csv_chunks(exported):
                        out.write(chunk.encode())
                return exported.totals.rows
        return work

    raw = target.connect()
    try:
        def floor() -> int:
            with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as out:
                writer, count = csv.writer(out), 0
                for row in raw.execute(RAW, (unit.id,)):
                    writer.writerow(row)
                    count += 1
                if raw.postgres:
                    raw.conn.rollback()
                return count

        if not floor() == export("xlsx")() == export("csv")() == rows:
            raise AssertionError("the floor and the exports do not write the same rows")
        cases = {FLOOR: floor, XLSX: export("xlsx"), CSV: export("csv")}
        samples = interleaved(cases, ops=1, batches=batches)
        memory = {name: peak(work) for name, work in cases.items()}
    finally:
        raw.close()
    note = f"{rows:,} findings of one unit, each with two events; times are per export"
    label = target.label
    return [timed(f"export_{label.lower()}", f"Ledger export, {label}", samples, FLOOR, [note]),
            sized(f"export_memory_{label.lower()}", f"Ledger export peak memory, {label}", memory,
                  FLOOR, [note, "tracemalloc peak while one export runs (Python allocations)"])]

