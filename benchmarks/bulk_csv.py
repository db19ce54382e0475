"""On the bulk world: the ledger's CSV export of every finding (the large filter) against a raw
SELECT written with csv, in rows per second and per CPU-second, and its peak memory."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable
from typing import Any

from benchmarks.bulk import World
from benchmarks.bulk_cases import peak, web_client
from benchmarks.report import Section, sized, timed
from benchmarks.timing import each_call
from benchmarks.world import Raw, Target
from workflow.runtime import Rectify

CSV_FLOOR = "raw SELECT + csv"


def export_csv(client: Any, query: str) -> int:
    """SERVICE: the ledger page's CSV download, streamed as a browser reads it (bytes read)."""
    response = client.get(f"/ledger.csv?{query}", buffered=False)
    assert response.status_code == 200, response.status_code
    size = sum(len(chunk) for chunk in response.iter_encoded())
    response.close()
    return size


FLOOR_CSV = ("SELECT f.code, f.title, f.description, u.name_zh, f.category, f.severity, f.state, "
             "f.due_date, f.created_at, f.closed_at FROM findings f JOIN units u ON u.id = f.unit_id "
             "ORDER BY f.created_at DESC, f.id DESC")


def floor_csv(raw: Raw) -> int:
    """Every finding by one SELECT (with the unit's name), written by csv to memory in pieces."""
    out = io.StringIO()
    writer, size = csv.writer(out), 0
    for n, row in enumerate(raw.query(FLOOR_CSV, ()), start=1):
        writer.writerow(row)
        if n % 200 == 0:
            size += len(out.getvalue())
            out.seek(0)
            out.truncate()
    return size + len(out.getvalue())


def csv_sections(app: Rectify, target: Target, world: World) -> list[Section]:
    """The whole ledger as CSV (every finding: the large filter), once each: time, rows per
    second and per CPU-second, then the tracemalloc peak of another run."""
    client = web_client(app, f"supervisor-{world.tree.names[world.tree.root][0].lower()}")
    raw = target.connect()
    try:
        rows = raw.query("SELECT count(*) FROM findings", ())[0][0]
        cases: dict[str, Callable[[], object]] = {CSV_FLOOR: lambda: floor_csv(raw),
                                                  "GET /ledger.csv": lambda: export_csv(client, "")}
        cpu = {}
        for name, call in cases.items():
            began = time.process_time()
            call()
            cpu[name] = time.process_time() - began
        samples = each_call(cases, 1, warmup=0)
        memory = {name: peak(call) for name, call in cases.items()}
    finally:
        raw.close()
    label = target.label
    rates = [f"{name}: {rows / (samples[name].median / 1e6):,.0f} rows/s, {rows / cpu[name]:,.0f} "
             "rows per CPU-second (time.process_time, this process)" for name in cases]
    notes = [f"{rows:,} rows (no filter, as the province commission's supervisor)", *rates,
             "the floor fetches its rows at once (Raw.query)"]
    return [timed(f"export_csv_{label.lower()}", f"CSV export, {label}", samples, CSV_FLOOR, notes),
            sized(f"export_csv_memory_{label.lower()}", f"CSV export peak memory, {label}", memory,
                  CSV_FLOOR, [f"{rows:,} rows", "tracemalloc peak"])]
