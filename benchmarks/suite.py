"""Run every benchmark, print the table and write results/latest.json and results/latest.md."""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import tempfile
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from time import perf_counter
from typing import Any

from benchmarks import http_load, http_report, ledger, machines, memory, peers, tick, transition
from benchmarks.bulk_run import bulk_targets, on_bulk_world
from benchmarks.report import Section, markdown, write
from benchmarks.world import Target, build_org, postgres_target, sqlite_target, start
from workflow.config import REPO_ROOT
from workflow.spec import load_registry

RESULTS = Path(__file__).resolve().parent / "results"
CASES = ("transition", "peers", "ledger", "tick", "machine", "memory", "dashboard", "daily",
         "export", "import", "as_of", "verify", "pages", "work", "http")
DEFAULT_OFF = ("work", "http")  # run only when named with --only (pages runs work's cases too)


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", metavar="URL",
                        help="also run on this PostgreSQL server, in a schema created and dropped here")
    parser.add_argument("--n", type=int, default=2000, help="findings behind the ledger page (2000)")
    parser.add_argument("--batches", type=int, default=9, help="measured batches per case (9)")
    parser.add_argument("--tick-open", type=int, default=100_000,
                        help="open findings behind the tick pass (100000)")
    parser.add_argument("--tick-due", type=int, default=1000,
                        help="of them falling due (1000)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write latest.json/.md")
    parser.add_argument("--sqlite", action=argparse.BooleanOptionalAction, default=True,
                        help="run on SQLite (default; --no-sqlite with --postgres: PostgreSQL only)")
    parser.add_argument("--findings", type=int, default=2000,
                        help="findings in the bulk world behind dashboard, export and import (2000)")
    parser.add_argument("--world", type=Path, metavar="DIR",
                        help="keep the SQLite bulk world of --findings N in DIR: generated there by the "
                             "first run, copied in (not regenerated) by later ones")
    parser.add_argument("--import-rows", type=int, default=10_000, help="rows imported (10000)")
    parser.add_argument("--only", action="append", choices=CASES, metavar="NAME",
                        help=f"run only these (repeatable): {', '.join(CASES)}")
    parser.add_argument("--smoke", action="store_true",
                        help="tiny sizes, one batch: proves every benchmark still runs (the test "
                             "suite does this); its numbers mean nothing")
    http_load.add_arguments(parser)
    return parser.parse_args(argv)


def machine_info(servers: list[str], load: float) -> dict[str, Any]:
    """Versions and CPUs; the 1-minute load average at the start says how busy the machine was."""
    info: dict[str, Any] = {
        "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
        "cpus": os.cpu_count(), "platform": f"{platform.system()} {platform.machine()}",
        "transitions": version("transitions"), "sqlalchemy": version("SQLAlchemy"),
        "psycopg": version("psycopg"), "load": round(load, 2),
    }
    if servers:
        info["postgresql"] = ", ".join(servers)
    return info


def wanted(args: argparse.Namespace, name: str) -> bool:
    return name in args.only if args.only else name not in DEFAULT_OFF


def on_backend(target: AbstractContextManager[Target], folder: Path, args: argparse.Namespace,
               servers: list[str]) -> tuple[list[Section], list[Section]]:
    """Transition, ledger and tick sections on one backend, in a database of their own."""
    registry = load_registry(REPO_ROOT / "definitions")
    fired: list[Section] = []
    page: list[Section] = []
    if not any(wanted(args, name) for name in ("transition", "peers", "ledger", "tick")):
        return fired, page
    with target as where:
        if where.server:
            servers.append(where.server)
        app = start(where, folder, registry)
        try:
            org = build_org(app)
            if wanted(args, "transition"):
                fired.append(transition.run(app, org, where, ops=4 if args.smoke else 60,
                                            batches=args.batches))
            if wanted(args, "peers") and not peers.missing():
                fired.append(peers.run(app, org, where, ops=4 if args.smoke else 60,
                                       batches=args.batches))
            if wanted(args, "ledger"):
                page += ledger.run(app, org, where, args.n, ops=2 if args.smoke else 20,
                                   batches=args.batches)
            if wanted(args, "tick"):
                page.append(tick.run(app, org, where, args.tick_open, args.tick_due,
                                     batches=min(args.batches, 5)))
        finally:
            app.database.dispose()
    return fired, page


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    if args.smoke:
        args.n, args.batches = min(args.n, 10), 1
        smoke_http(args)
        args.tick_open, args.tick_due = min(args.tick_open, 500), min(args.tick_due, 5)
        args.findings, args.import_rows = min(args.findings, 200), min(args.import_rows, 20)
    began, date = perf_counter(), datetime.now(UTC).isoformat(timespec="seconds")
    load = os.getloadavg()[0]
    standard = load_registry(REPO_ROOT / "definitions").get("standard")
    servers: list[str] = []
    with tempfile.TemporaryDirectory(prefix="rectify-bench-") as tmp:
        folder = Path(tmp)
        backends = ([sqlite_target(folder)] if args.sqlite else []) + \
            ([postgres_target(args.postgres)] if args.postgres else [])
        results = [on_backend(backend, folder, args, servers) for backend in backends]
        bulk = [on_bulk_world(backend, folder, args, servers)
                for backend in bulk_targets(folder, args)]
        http = http_sections(args, folder, servers)
    sections = [fired for fired_list, _ in results for fired in fired_list]
    if wanted(args, "machine"):
        sections.append(machines.run(standard, ops=10 if args.smoke else 1000, batches=args.batches))
    if wanted(args, "memory"):
        sections.append(memory.run(standard, rows=100 if args.smoke else memory.ROWS))
    sections += [page for _, pages in results for page in pages]
    sections += [section for sections_of in bulk for section in sections_of]
    sections += http
    meta = {"date": date, "duration_s": round(perf_counter() - began, 1),
            "machine": {**machine_info(servers, load), "load_at_end": round(os.getloadavg()[0], 2)},
            "settings": {"n": args.n, "batches": args.batches, "postgres": bool(args.postgres),
                         "findings": args.findings, "only": args.only or list(CASES)},
            "skipped": skipped(args)}
    print(write(args.out, meta, sections))
    if not args.smoke:  # a dated copy that later runs do not overwrite
        name, title = dated(args, date[:10])
        (args.out / name).write_text(f"# {title}\n\n" + markdown(meta, sections), "utf-8")
    return 0


def dated(args: argparse.Namespace, day: str) -> tuple[str, str]:
    """The dated copy's file name and title: <date>-<dbs>-<N>.md, or <date>-peers.md for the peers."""
    if args.only == ["peers"]:
        return f"{day}-peers.md", "Peers: one persisted, audited transition"
    if args.only == ["http"]:
        return f"{day}-http-postgresql.md", "HTTP under gunicorn on PostgreSQL, wrk on loopback"
    dbs = "+".join((["sqlite"] if args.sqlite else []) + (["postgresql"] if args.postgres else []))
    return f"{day}-{dbs}-{args.findings}.md", f"Benchmark run, {args.findings:,} findings"


def skipped(args: argparse.Namespace) -> list[str]:
    """Why a case asked for did not run."""
    why = [peers.skipped()] if wanted(args, "peers") and peers.missing() else []
    http_why = http_load.skipped(args) if wanted(args, "http") else None
    return why + ([http_why] if http_why else [])


def smoke_http(args: argparse.Namespace) -> None:
    """Seconds instead of minutes: proves the http case still runs."""
    args.http_seconds, args.http_rounds, args.http_findings = 1, 1, min(args.http_findings, 300)
    args.http_connections = min(args.http_connections, 2)
    args.http_memory_minutes, args.http_warmup_minutes = 0.05, 0.02


def http_sections(args: argparse.Namespace, folder: Path, servers: list[str]) -> list[Section]:
    if not wanted(args, "http") or http_load.skipped(args):
        return []
    (folder / "http").mkdir()
    return http_report.sections(http_load.measure(args, folder / "http", servers), args)
