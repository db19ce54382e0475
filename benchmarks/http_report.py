"""The HTTP case's sections: rates as fast as they go, latency at half that rate, worker memory."""

from __future__ import annotations

import argparse
import statistics

from benchmarks.http_load import Measured
from benchmarks.http_wrk import Outcome
from benchmarks.report import Row, Section

GET = "GET /api/v1/findings/<id> (bearer token)"
FIRE = "POST /api/v1/findings/<id>/transitions/urge (If-Match)"
HALF = "half the transitions' maximum"
RATE_TARGET, P99_TARGET_MS, DRIFT_TARGET = 0.75, 100.0, 0.10


def sections(found: Measured, args: argparse.Namespace) -> list[Section]:
    return [rates(found, args), latency(found), memory(found)]


def _bad(outcomes: list[Outcome]) -> str:
    """Non-2xx responses and socket errors over runs, with the first refusal's body."""
    bad = sum(o.non_2xx for o in outcomes)
    errors = sum(o.socket_errors for o in outcomes)
    first = next((o.first_bad for o in outcomes if o.first_bad), "")
    return f"{bad} non-2xx, {errors} socket errors" + (f" (first: {first[:160]})" if first else "")


def rates(found: Measured, args: argparse.Namespace) -> Section:
    cases = {GET: found.max_get, FIRE: found.max_fire}
    medians = {name: statistics.median(o.rate for o in runs) for name, runs in cases.items()}
    rows = [Row(name, round(medians[name], 1), round(medians[name] / medians[GET], 3),
                round(min(o.rate for o in runs), 1), round(max(o.rate for o in runs), 1))
            for name, runs in cases.items()]
    ratio = medians[FIRE] / medians[GET]
    verdict = "met" if ratio >= RATE_TARGET else "missed"
    notes = [f"transitions at {ratio:.2f} of the GET's rate: target ≥ {RATE_TARGET} {verdict}",
             f"{found.findings:,} findings on {found.units:,} units; the province commission's "
             "supervisor (whole tree in scope); gunicorn, 4 workers (gthread, one thread each); "
             "wrk on loopback, "
             f"{args.http_connections} connections (one per wrk thread), {args.http_rounds} rounds of "
             f"{args.http_seconds:g} s each, GET and POST alternating; min – max over rounds",
             *[f"{name}: p50 {statistics.median(o.p50_ms for o in runs):,.1f} ms, p99 "
               f"{statistics.median(o.p99_ms for o in runs):,.1f} ms (the rounds' medians)"
               for name, runs in cases.items()],
             f"GET: {_bad(cases[GET])}; POST: {_bad(cases[FIRE])}; "
             f"{sum(o.fired for o in cases[FIRE]):,} transitions fired"]
    return Section("http_rate_postgresql", "HTTP, PostgreSQL: as fast as it goes", "req/s", GET,
                   rows, notes)


def latency(found: Measured) -> Section:
    half = {GET: found.half_get, FIRE: found.half_fire}
    runs = {name: o for name, o in half.items() if o is not None}
    rows = [Row(name, round(o.p50_ms, 2), round(o.p50_ms / runs[GET].p50_ms, 3),
                round(o.p50_ms, 2), round(o.max_ms, 2), p99=round(o.p99_ms, 2))
            for name, o in runs.items()]
    fire = runs[FIRE]
    verdict = "met" if fire.p99_ms <= P99_TARGET_MS else "missed"
    notes = [f"transitions' p99 {fire.p99_ms:,.1f} ms at {fire.rate:,.1f} req/s: target ≤ "
             f"{P99_TARGET_MS:g} ms {verdict}",
             "paced by http_load.lua on a fixed timetable (Debian's wrk 4.1 has no -R): each "
             "latency runs from the moment the request was due, so a request held back by a slow "
             "one counts its wait; p50 – max in the spread column",
             *[f"{name}: {o.rate:,.1f} req/s reached, {o.late} sent behind the timetable, wrk's "
               f"own p99 (from sending) {o.wrk_p99_ms:,.1f} ms, {_bad([o])}"
               for name, o in runs.items()]]
    return Section("http_latency_postgresql", "HTTP, PostgreSQL: at half the maximum rate", "ms",
                   GET, rows, notes)


def drift(found: Measured) -> dict[int, tuple[int, int, int, int]]:
    """Per worker alive from the end of warm-up to the last sample: RSS then, at the end, lowest
    and highest in between (a worker started later has no baseline: see replaced())."""
    per: dict[int, list[tuple[float, int]]] = {}
    for at, pid, size in found.samples:
        per.setdefault(pid, []).append((at, size))
    last = max((at for at, _pid, _size in found.samples), default=0.0)
    result = {}
    for pid, series in per.items():
        after = [size for at, size in series if at >= found.warmup_s]
        if after and series[0][0] <= found.warmup_s and series[-1][0] == last:
            result[pid] = (after[0], after[-1], min(after), max(after))
    return result


def by_minute(found: Measured) -> dict[int, list[int]]:
    """Per worker of drift(): its RSS at the warm-up's end and at each whole minute after (the
    first sample at or past each mark), so that growth shows apart from warm-up."""
    kept = drift(found)
    per: dict[int, list[int]] = {pid: [] for pid in kept}
    last = max((at for at, _pid, _size in found.samples), default=0.0)
    marks = [found.warmup_s + 60 * n for n in range(int((last - found.warmup_s) // 60) + 1)]
    for pid in per:
        series = sorted((at, size) for at, p, size in found.samples if p == pid)
        per[pid] = [next(size for at, size in series if at >= mark) for mark in marks]
    return per


def replaced(found: Measured) -> int:
    """Workers seen during the mixed load beyond the first ones (gunicorn replaced them)."""
    first = min((at for at, _pid, _size in found.samples), default=0.0)
    at_start = {pid for at, pid, _size in found.samples if at == first}
    return len({pid for _at, pid, _size in found.samples} - at_start)


def memory(found: Measured) -> Section:
    rows, worst = [], 0.0
    for n, (_pid, (base, end, low, high)) in enumerate(sorted(drift(found).items()), start=1):
        worst = max(worst, abs(high - base) / base, abs(low - base) / base)
        rows.append(Row(f"worker {n}: RSS at the end (× after warm-up)", float(end),
                        round(end / base, 3), float(low), float(high)))
    mixed = found.mixed
    duration = mixed.seconds if mixed else 0.0
    verdict = "met" if worst <= DRIFT_TARGET else "missed"
    notes = [f"largest drift from the post-warm-up RSS: {worst:.1%}: target ≤ "
             f"{DRIFT_TARGET:.0%} {verdict}",
             f"{replaced(found)} worker(s) replaced during the load, {found.timeouts} WORKER TIMEOUT "
             "(gunicorn's 30 s) in its log; only workers alive from the baseline to the end are "
             "rows",
             f"{duration / 60:,.1f} min of mixed load at {found.mixed_rate:,.1f} req/s ("
             f"{'as given' if found.rate_given else HALF}): half the "
             "connections urge, half cycle over the finding "
             "(API and page), the ledger (page, filtered, API), My work and the dashboard "
             "focused on a 集团; "
             f"VmRSS sampled per worker; baseline after {found.warmup_s / 60:,.1f} min; "
             "min – max after warm-up in the spread column"]
    if mixed:
        notes.append(f"{mixed.requests:,} requests, {mixed.fired:,} transitions, {_bad([mixed])}")
    for n, (_pid, sizes) in enumerate(sorted(by_minute(found).items()), start=1):
        notes.append(f"worker {n}: RSS at the warm-up's end and each minute after (MiB): "
                     + ", ".join(f"{size / 2**20:,.1f}" for size in sizes))
    return Section("http_memory_postgresql", "HTTP, PostgreSQL: worker memory under mixed load",
                   "bytes", "", rows, notes)
