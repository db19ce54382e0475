"""Verify every chain with worker processes, each on its own slice of finding ids, in id order."""

from __future__ import annotations

import hashlib
import multiprocessing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select

from workflow.chain import ChainProblem
from workflow.db import make_engine
from workflow.models import Finding
from workflow.services.verify_chains import FindingRef, Tally, verify_range

SLICE = 5000  # finding ids per task: a progress step, and what a worker holds at most
_engines: dict[str, Engine] = {}  # a worker process's own engines


@dataclass(frozen=True)
class SliceResult:
    """One slice's broken findings and what it covered."""

    broken: list[tuple[FindingRef, list[ChainProblem]]]
    tally: Tally


def id_slices(engine: Engine, size: int | None = None) -> list[tuple[int, int]]:
    """(first, last) finding id bounds covering every finding, `size` (SLICE) ids each."""
    size = size or SLICE
    with engine.connect() as conn:
        first, last = conn.execute(select(func.min(Finding.id), func.max(Finding.id))).one()
    if first is None:
        return []
    return [(low, min(low + size - 1, last)) for low in range(first, last + 1, size)]


def verify_slice(engine: Engine, first: int, last: int, cutoff: datetime | None) -> SliceResult:
    """verify_range over one slice, in one read transaction."""
    tally = Tally()
    with engine.begin() as conn:
        broken = list(verify_range(conn, first, last, tally, cutoff))
    return SliceResult(broken, tally)


def _task(args: tuple[str, int, int, datetime | None]) -> SliceResult:
    """A worker process's slice, on that process's own engine for the URL."""
    url, first, last, cutoff = args
    if url not in _engines:
        _engines[url] = make_engine(url)
    return verify_slice(_engines[url], first, last, cutoff)


@dataclass
class Outcome:
    """A whole walk: findings and events covered, and with a cut-off, the anchor recomputed."""

    findings: int = 0
    events: int = 0
    fingerprint: str = ""


def verify_everything(engine: Engine, workers: int, cutoff: datetime | None = None,
                      progress: Callable[[int], None] | None = None,
                      outcome: Outcome | None = None,
                      ) -> Iterator[tuple[FindingRef, list[ChainProblem]]]:
    """(finding, problems) for each finding that does not verify, in id order, the slices
    shared among `workers` processes (1: in this one); `progress(n)` after each slice of n
    findings; `outcome` filled in as it goes (the fingerprint at the cut-off, if given)."""
    outcome = outcome if outcome is not None else Outcome()
    anchor = hashlib.sha256()
    for result in _results(engine, id_slices(engine), cutoff, workers):
        yield from result.broken
        anchor.update("".join(result.tally.head_lines).encode())
        outcome.findings += result.tally.findings
        outcome.events += result.tally.events
        if progress is not None:
            progress(result.tally.findings)
    outcome.fingerprint = anchor.hexdigest()


def _results(engine: Engine, slices: list[tuple[int, int]], cutoff: datetime | None,
             workers: int) -> Iterator[SliceResult]:
    if workers <= 1 or len(slices) <= 1:
        for first, last in slices:
            yield verify_slice(engine, first, last, cutoff)
        return
    url = engine.url.render_as_string(hide_password=False)
    tasks = [(url, first, last, cutoff) for first, last in slices]
    # spawn: a worker starts clean, with no copy of this process's open connections
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        yield from pool.imap(_task, tasks)


def default_workers() -> int:
    return max(1, min(2, multiprocessing.cpu_count()))
