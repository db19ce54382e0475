"""HTTP under gunicorn on PostgreSQL, driven by wrk on loopback: transitions through the API
against an authenticated single-finding GET (as fast as they go, then at half that rate), and the
workers' resident memory under minutes of mixed load."""

from __future__ import annotations

import argparse
import contextlib
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import http_world
from benchmarks.http_server import Server, rss
from benchmarks.http_wrk import Load, Outcome, run, wrk_path
from benchmarks.ledger import analyze
from benchmarks.world import Target, postgres_target, start
from workflow.config import REPO_ROOT
from workflow.spec import load_registry


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("http (only with --only http; needs --postgres and wrk)")
    group.add_argument("--http-seconds", type=float, default=20, help="each wrk run (20)")
    group.add_argument("--http-rounds", type=int, default=3,
                       help="rounds of GET and POST as fast as they go, alternating (3)")
    group.add_argument("--http-connections", type=int, default=8,
                       help="wrk connections, one per wrk thread (8)")
    group.add_argument("--http-memory-minutes", type=float, default=10,
                       help="mixed load while the workers' RSS is sampled (10)")
    group.add_argument("--http-warmup-minutes", type=float, default=2,
                       help="of them, warm-up before the RSS baseline (2)")
    group.add_argument("--http-findings", type=int, default=5000, help="findings in the world (5000)")
    group.add_argument("--http-mixed-rate", type=float, default=0.0,
                       help="the mixed load's req/s (0: half the transitions' maximum), to compare "
                            "memory runs at one rate on a machine whose load varies")


def skipped(args: argparse.Namespace) -> str | None:
    """Why the http case cannot run here, or None."""
    if not args.postgres:
        return "http skipped: it runs on PostgreSQL only (give --postgres URL)"
    if wrk_path() is None:
        return "http skipped: wrk is not installed (apt-get install wrk)"
    return None


@dataclass
class Measured:
    """Every wrk outcome of the case, and the workers' RSS samples (seconds, pid, bytes)."""

    max_get: list[Outcome] = field(default_factory=list)
    max_fire: list[Outcome] = field(default_factory=list)
    half_get: Outcome | None = None
    half_fire: Outcome | None = None
    mixed: Outcome | None = None
    mixed_rate: float = 0.0
    rate_given: bool = False  # --http-mixed-rate, not half the transitions' maximum
    samples: list[tuple[float, int, int]] = field(default_factory=list)
    warmup_s: float = 0.0
    timeouts: int = 0  # workers gunicorn killed and replaced (WORKER TIMEOUT in its log)
    findings: int = 0
    units: int = 0


def measure(args: argparse.Namespace, folder: Path, servers: list[str]) -> Measured:
    """World, server, then each phase; the schema is dropped at the end."""
    connections = args.http_connections
    smoke = args.smoke
    with postgres_target(args.postgres) as where:
        if where.server not in servers:
            servers.append(where.server)
        world = _world(where, folder, args.http_findings, 300 if smoke else 5000, connections * 4)
        reads, fires = http_world.write_data(folder, world)
        server = Server(where.url, folder / "server")
        try:
            server.wait_ready()
            found = Measured(findings=world.world.findings, units=len(world.world.tree.names))

            def go(mode: str, seconds: float, rate: float = 0.0) -> Outcome:
                outcome = run(Load(mode, connections, seconds, rate), server.base, world.token,
                              reads, fires, world.world.tree.groups[0])
                if mode != "get":
                    http_world.refresh_versions(where, fires)
                return outcome

            seconds = args.http_seconds
            go("get", min(seconds, 5)), go("fire", min(seconds, 5))  # warm-up: not measured
            for turn in range(args.http_rounds):
                order = ("get", "fire") if turn % 2 == 0 else ("fire", "get")
                for mode in order:
                    (found.max_get if mode == "get" else found.max_fire).append(go(mode, seconds))
            get_rate = statistics.median(o.rate for o in found.max_get)
            fire_rate = statistics.median(o.rate for o in found.max_fire)
            found.half_get = go("get", seconds, get_rate / 2)
            found.half_fire = go("fire", seconds, fire_rate / 2)
            found.mixed_rate = args.http_mixed_rate or fire_rate / 2
            found.rate_given = bool(args.http_mixed_rate)
            _memory(found, server, go, args.http_memory_minutes * 60,
                    args.http_warmup_minutes * 60, 1.0 if smoke else 10.0)
        finally:
            server.stop()
        found.timeouts = server.log.read_text("utf-8", "replace").count("WORKER TIMEOUT")
    return found


def _world(where: Target, folder: Path, findings: int, units: int,
           fire_needed: int) -> http_world.HttpWorld:
    app = start(where, folder, load_registry(REPO_ROOT / "definitions"))
    try:
        world = http_world.build(app, findings, units, fire_needed)
        analyze(where)
        return world
    finally:
        app.database.dispose()


def _memory(found: Measured, server: Server, go: Callable[[str, float, float], Outcome],
            seconds: float, warmup: float, every: float) -> None:
    """Mixed load (half the threads urge, half read pages and the API) for `seconds` at half the
    transitions' maximum rate, each worker's RSS sampled every `every` seconds."""
    result: list[Outcome] = []
    load = threading.Thread(target=lambda: result.append(go("mixed", seconds, found.mixed_rate)))
    began = time.monotonic()
    load.start()
    while load.is_alive():
        at = time.monotonic() - began
        for pid in server.worker_pids():
            with contextlib.suppress(OSError, KeyError):  # a worker gone or being replaced
                found.samples.append((at, pid, rss(pid)[0]))
        load.join(timeout=every)
    found.mixed = result[0] if result else None
    found.warmup_s = warmup
