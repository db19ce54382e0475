"""The cases on the bulk world (dashboard, export, import), each backend in a database of its own."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path
from time import perf_counter

from benchmarks.bulk import generate
from benchmarks.bulk_as_of import as_of_section
from benchmarks.bulk_cases import dashboard_section, export_sections
from benchmarks.bulk_csv import csv_sections
from benchmarks.bulk_daily import daily_section
from benchmarks.bulk_import import import_section
from benchmarks.bulk_keep import KeptWorld
from benchmarks.bulk_pages import pages_sections
from benchmarks.bulk_verify import verify_section
from benchmarks.bulk_work import work_sections
from benchmarks.ledger import analyze
from benchmarks.report import Row, Section
from benchmarks.world import Target, build_tallies, postgres_target, sqlite_target, start
from workflow.config import REPO_ROOT
from workflow.spec import load_registry

BULK_CASES = ("dashboard", "daily", "export", "import", "as_of", "verify", "pages", "work")


def bulk_targets(folder: Path, args: argparse.Namespace) -> Iterator[AbstractContextManager[Target]]:
    if args.only and not set(args.only) & set(BULK_CASES):
        return
    (folder / "bulk").mkdir(exist_ok=True)
    if args.sqlite:
        yield sqlite_target(folder / "bulk")
    if args.postgres:
        yield postgres_target(args.postgres)


def on_bulk_world(target: AbstractContextManager[Target], folder: Path, args: argparse.Namespace,
                  servers: list[str]) -> list[Section]:
    """Generate the world (timed), ANALYZE, then each case wanted."""
    wanted = set(args.only or BULK_CASES)
    rounds = 1 if args.smoke else max(args.batches, 2)
    with target as where:
        if where.server and where.server not in servers:
            servers.append(where.server)
        kept = KeptWorld(args.world, args.findings) if args.world and not where.server else None
        reused = kept is not None and kept.exists()
        if reused:
            world, day = kept.copy_to(folder / "bulk" / "bench.db")  # type: ignore[union-attr]
        # written with the tallies unset (no trigger work), then built once, timed
        app = start(where, folder / "bulk", load_registry(REPO_ROOT / "definitions"),
                    tallies=False)
        try:
            if not reused:
                day = datetime.now(app.zone).date()
                world = generate(app, args.findings, units=300 if args.smoke else 5000, today=day)
                analyze(where)
                if kept is not None:
                    kept.keep(folder / "bulk" / "bench.db", world, day)
            sections = [generation(where, world.findings, world.events, world.seconds,
                                   len(world.tree.names))]
            began = perf_counter()
            build_tallies(app)
            sections[0].rows.append(Row("build the statistics' tallies (services.tallies)",
                                        round((perf_counter() - began) * 1e6, 2), 1.0))
            if reused:
                analyze(where)  # the indexes migrations added to the kept copy: no statistics yet
                sections[0].notes.append(
                    f"the world kept in {args.world}, generated for {day.isoformat()} (--world): "
                    "the time above is its generation's")
            if "dashboard" in wanted:
                sections += [dashboard_section(app, where, world, whole, rounds)
                             for whole in (True, False)]
            if "daily" in wanted:
                sections += [daily_section(app, where, world, whole, rounds)
                             for whole in (True, False)]
            if "export" in wanted:
                sections += export_sections(app, where, world, min(rounds, 5))
                sections += csv_sections(app, where, world)
            if "as_of" in wanted:
                sections.append(as_of_section(app, where, world, rounds))
            if "verify" in wanted:  # before import: its rows are findings the world counts not
                sections.append(verify_section(app, where, world, min(rounds, 3)))
            if "import" in wanted:
                sections.append(import_section(app, where, world, args.import_rows,
                                               1 if args.smoke else 2))
            if "pages" in wanted:  # last: it drops indexes to measure without them
                sections += pages_sections(app, where, world, 1 if args.smoke else 15, args.smoke)
            elif "work" in wanted:  # My work alone (pages measures it too, among the ledger's)
                sections += work_sections(app, where, world, 1 if args.smoke else 15, args.smoke)
        finally:
            app.database.dispose()
    return sections


def generation(target: Target, findings: int, events: int, seconds: float, units: int) -> Section:
    """How long the bulk world took to write: no floor, the rate is the figure."""
    rate = findings / seconds if seconds else 0.0
    row = Row(f"generate {findings:,} findings, {events:,} events", round(seconds * 1e6, 2), 1.0)
    return Section(f"bulk_{target.label.lower()}", f"Bulk world, {target.label}", "µs", "",
                   [row], [f"{units:,} units; {rate:,.0f} findings/s, {events / max(seconds, 1e-9):,.0f} "
                           "events/s, chains hashed as the engine does, then ANALYZE"])
