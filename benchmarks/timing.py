"""Medians of per-operation times over interleaved batches, after a warm-up batch."""

from __future__ import annotations

import gc
import statistics
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from time import perf_counter_ns


@dataclass(frozen=True)
class Sample:
    """One case: µs per operation, median and spread over the measured batches."""

    median: float
    low: float
    high: float
    batches: int
    ops: int
    p95: float | None = None  # set by each_call(): the 95th percentile of single calls

    @classmethod
    def of(cls, per_op_us: list[float], ops: int) -> Sample:
        return cls(statistics.median(per_op_us), min(per_op_us), max(per_op_us), len(per_op_us), ops)


def interleaved(cases: Mapping[str, Callable[[], object]], ops: int, batches: int = 9,
                warmup: int = 1) -> dict[str, Sample]:
    """Time `ops` calls of each case per batch, rotating the order so drift hits every case alike."""
    names = list(cases)
    times: dict[str, list[float]] = {name: [] for name in names}
    for batch in range(warmup + batches):
        shift = batch % len(names)
        for name in names[shift:] + names[:shift]:
            op = cases[name]
            start = perf_counter_ns()
            for _ in range(ops):
                op()
            elapsed = perf_counter_ns() - start
            if batch >= warmup:
                times[name].append(elapsed / ops / 1000)
    return {name: Sample.of(times[name], ops) for name in names}


def each_call(cases: Mapping[str, Callable[[], object]], rounds: int,
              warmup: int = 1) -> dict[str, Sample]:
    """Time every call on its own, cases alternating (order rotating): p50 as the median, p95,
    and min/max over `rounds` calls of each. What the process holds before (the generated world,
    the app) is frozen out of the garbage collector's reach for the while: a server's worker
    holds no world, and one full collection over it (~120 ms) was a page's p95 of 15 calls."""
    names = list(cases)
    times: dict[str, list[float]] = {name: [] for name in names}
    gc.collect()
    gc.freeze()
    try:
        for turn in range(warmup + rounds):
            shift = turn % len(names)
            for name in names[shift:] + names[:shift]:
                start = perf_counter_ns()
                cases[name]()
                if turn >= warmup:
                    times[name].append((perf_counter_ns() - start) / 1000)
    finally:
        gc.unfreeze()
    return {name: Sample(statistics.median(t), min(t), max(t), len(t), 1, percentile(t, 95))
            for name, t in times.items()}


def percentile(values: list[float], pct: int) -> float:
    """Nearest-rank percentile (with few calls, p95 is the slowest)."""
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * pct // 100) - 1)]
