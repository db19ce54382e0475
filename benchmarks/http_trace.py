"""gunicorn settings for the HTTP benchmark's memory probe: web.gunicorn_conf, and in each worker
tracemalloc plus the allocators' own figures dumped at intervals (benchmark harness only).

With RECTIFY_BENCH_TRACE=<folder> the benchmark's server starts gunicorn with
`-c python:benchmarks.http_trace`; each worker then starts tracemalloc (RECTIFY_BENCH_TRACE_FRAMES
frames, 8; 0: no tracemalloc, the figures only) once it has loaded the app and, every
RECTIFY_BENCH_TRACE_EVERY seconds (60), writes
`<pid>-<n>.snap` (a tracemalloc snapshot, compared by benchmarks/http_trace_diff.py) and a JSON
line to `<pid>.jsonl`: VmRSS and its parts, tracemalloc's total, glibc's mallinfo2 (bytes in use,
free inside the heap, mmapped) and pymalloc's arenas (sys._debugmallocstats; it reports
nothing while tracemalloc wraps the allocator). The app's own
settings (web/gunicorn_conf.py) never load this module.
"""

from __future__ import annotations

import ctypes
import gc
import json
import os
import re
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path
from typing import Any

from web.gunicorn_conf import child_exit, threads, worker_class

__all__ = ["child_exit", "post_worker_init", "threads", "worker_class"]


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]


def _mallinfo() -> dict[str, int]:
    """glibc's heap figures: arena (bytes from sbrk and arenas' heaps), uordblks (in use),
    fordblks (free but kept), hblkhd (mmapped blocks); {} on another libc or allocator."""
    try:
        libc = ctypes.CDLL(None)
        call = libc.mallinfo2
    except (OSError, AttributeError):
        return {}
    call.restype = _MallInfo2
    info = call()
    return {name: int(getattr(info, name)) for name, _type in _MallInfo2._fields_}


def _pymalloc() -> dict[str, int]:
    """pymalloc's arenas and blocks, parsed from sys._debugmallocstats() (it writes to fd 2)."""
    with tempfile.TemporaryFile() as out:
        sys.stderr.flush()
        saved = os.dup(2)
        try:
            os.dup2(out.fileno(), 2)
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    found = {}
    for key, label in (("arenas", "arenas allocated current"), ("arenas_total", "arenas allocated total"),
                       ("in_blocks", "bytes in allocated blocks"),
                       ("free_blocks", "bytes in available blocks"),
                       ("arena_bytes", "Total")):
        match = re.search(r"# " + re.escape(label) + r"\s*=\s*([\d,]+)" if key != "arena_bytes"
                          else r"^Total\s*=\s*([\d,]+)", text, re.M)
        if match:
            found[key] = int(match.group(1).replace(",", ""))
    return found


def _status() -> dict[str, int]:
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "RssAnon", "RssFile", "RssShmem"):
            fields[name] = int(value.split()[0]) * 1024
    return fields


def _statement_caches() -> list[int]:
    """The entries in each SQLAlchemy engine's compiled-statement cache (bounded, 500 by default:
    a statement whose SQL text differs per call would fill it with near-copies)."""
    from sqlalchemy.engine import Engine

    return [len(o._compiled_cache) for o in gc.get_objects()
            if isinstance(o, Engine) and o._compiled_cache is not None]


def sample() -> dict[str, Any]:
    """One line of figures for this process."""
    current, peak = tracemalloc.get_traced_memory()
    objects = gc.get_objects()
    return {"at": time.time(), "pid": os.getpid(), **_status(), "traced": current,
            "traced_peak": peak, "objects": len(objects), "statements": _statement_caches(),
            "malloc": _mallinfo(), "pymalloc": _pymalloc()}


def _probe(folder: Path, every: float) -> None:
    pid = os.getpid()
    n = 0
    while True:
        time.sleep(every)
        n += 1
        line = sample()
        if tracemalloc.is_tracing():
            tracemalloc.take_snapshot().dump(str(folder / f"{pid}-{n:03d}.snap"))
        with (folder / f"{pid}.jsonl").open("a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")


def post_worker_init(_worker: Any) -> None:
    """In a worker that has loaded the app (tracing its start-up under a loaded machine took
    minutes): tracemalloc and the probe's thread, when the env asks for them."""
    where = os.environ.get("RECTIFY_BENCH_TRACE")
    if not where:
        return
    folder = Path(where)
    folder.mkdir(parents=True, exist_ok=True)
    frames = int(os.environ.get("RECTIFY_BENCH_TRACE_FRAMES", "8"))
    if frames > 0:  # 0: the allocators' figures only, no tracemalloc (its cost left out)
        tracemalloc.start(frames)
    every = float(os.environ.get("RECTIFY_BENCH_TRACE_EVERY", "60"))
    threading.Thread(target=_probe, args=(folder, every), daemon=True, name="rss-probe").start()
