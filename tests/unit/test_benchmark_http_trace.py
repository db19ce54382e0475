"""The HTTP benchmark's memory probe (benchmarks/http_trace.py) and its reader: the figures a worker
writes, and a kept allocation found by line between two snapshots."""

from __future__ import annotations

import importlib
import json
import os
import tracemalloc
from pathlib import Path
from types import ModuleType

import pytest

from benchmarks import http_trace_diff

KEPT: list[bytes] = []


@pytest.fixture
def http_trace(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> ModuleType:
    """The probe, imported with the multiprocess folder its gunicorn settings would set for the
    whole process held to this test (set, /metrics of every later test in this process would
    read the empty folder instead of its own counters)."""
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "metrics"))
    return importlib.import_module("benchmarks.http_trace")


def _keep() -> None:
    KEPT.extend(bytes(1000) + bytes([n % 256]) for n in range(2000))  # ~2 MiB, kept on purpose


def test_a_sample_has_the_rss_and_the_allocators_figures(http_trace: ModuleType) -> None:
    line = http_trace.sample()
    assert line["pid"] == os.getpid()
    assert line["VmRSS"] >= line["RssAnon"] > 0
    if line["malloc"]:  # glibc
        assert line["malloc"]["uordblks"] > 0
    if not tracemalloc.is_tracing():
        assert line["pymalloc"]["arenas"] > 0


def test_the_reader_names_the_line_that_kept_memory_between_two_snapshots(
        tmp_path: Path, http_trace: ModuleType) -> None:
    tracemalloc.start(4)
    try:
        tracemalloc.take_snapshot().dump(str(tmp_path / "7-001.snap"))
        _keep()
        tracemalloc.take_snapshot().dump(str(tmp_path / "7-002.snap"))
    finally:
        tracemalloc.stop()
        KEPT.clear()
    (tmp_path / "7.jsonl").write_text(json.dumps(http_trace.sample()) + "\n", "utf-8")
    text = http_trace_diff.grown(tmp_path, 7, 1, 2, 3)
    first = text.splitlines()[2]
    kept_at = _keep.__code__.co_firstlineno + 1  # the line of _keep that allocates
    assert f"test_benchmark_http_trace.py:{kept_at}" in first and first.startswith("- +")
    assert "| 1 |" in http_trace_diff.table(http_trace_diff.figures(tmp_path)[7])
