"""The http benchmark case without gunicorn or PostgreSQL: its wrk script against a stand-in
server that refuses a stale version and overlapping requests on one finding, its report's
verdicts, and when it runs. (The whole case, `--smoke --only http --postgres URL`, needs wrk, a
gunicorn and PostgreSQL and takes 20-80 s: it is left out of the test suite's smoke run.)"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from benchmarks import http_report
from benchmarks.http_load import Measured
from benchmarks.http_wrk import Load, Outcome, run, wrk_path
from benchmarks.suite import arguments, main, wanted

TOKEN = "rct_test-token"
needs_wrk = pytest.mark.skipif(wrk_path() is None, reason="wrk is not installed (apt-get install wrk)")


class StandIn(BaseHTTPRequestHandler):
    """Answers like the API: a version per finding, 409 on a stale If-Match; records overlaps."""

    versions: dict[int, int] = {}
    busy: set[int] = set()
    overlaps: list[int] = []
    lock = threading.Lock()

    def log_message(self, *args: Any) -> None:
        pass

    def _answer(self, status: int, data: dict[str, Any]) -> None:
        body = json.dumps(data, separators=(",", ":")).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self._answer(401, {"code": 401})
        return self._answer(200, {"id": int(self.path.rsplit("/", 1)[1]), "version": 1})

    def do_POST(self) -> None:  # noqa: N802
        found = re.fullmatch(r"/api/v1/findings/(\d+)/transitions/urge", self.path)
        assert found and self.headers.get("Authorization") == f"Bearer {TOKEN}"
        self.rfile.read(int(self.headers["Content-Length"]))
        finding = int(found.group(1))
        with self.lock:
            if finding in self.busy:
                self.overlaps.append(finding)
            self.busy.add(finding)
            stale = self.headers.get("If-Match") != str(self.versions[finding])
            if not stale:
                self.versions[finding] += 1
            version = self.versions[finding]
            self.busy.discard(finding)
        if stale:
            return self._answer(409, {"code": 409, "message": "stale"})
        return self._answer(200, {"id": finding, "lifecycle_version": 3, "version": version})


@pytest.fixture
def stand_in() -> Iterator[str]:
    StandIn.versions, StandIn.busy, StandIn.overlaps = {1: 5, 2: 9, 3: 2, 4: 7}, set(), []
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def data_files(tmp_path: Path, versions: dict[int, int]) -> tuple[Path, Path]:
    reads, fires = tmp_path / "reads.txt", tmp_path / "fires.txt"
    reads.write_text("1\n2\n3\n4\n")
    fires.write_text("".join(f"{i} {v}\n" for i, v in versions.items()))
    return reads, fires


@needs_wrk
def test_each_connection_fires_on_its_own_finding_with_the_version_it_got_back(
        stand_in: str, tmp_path: Path) -> None:
    start = dict(StandIn.versions)
    outcome = run(Load("fire", 2, 1), stand_in, TOKEN, *data_files(tmp_path, start))
    assert outcome.non_2xx == 0 and outcome.fired > 2
    assert StandIn.overlaps == []
    advanced = sum(StandIn.versions[i] - start[i] for i in start)
    assert advanced >= outcome.fired  # every fired one counted (some may commit after wrk stops)
    assert StandIn.versions[3] == start[3] and StandIn.versions[4] == start[4]  # the spares


@needs_wrk
def test_a_stale_version_is_counted_and_the_connection_moves_to_its_next_finding(
        stand_in: str, tmp_path: Path) -> None:
    stale = {1: 4, 2: 9, 3: 2, 4: 7}  # finding 1 is at 5: connection 0 is refused, then uses 3
    outcome = run(Load("fire", 2, 1), stand_in, TOKEN, *data_files(tmp_path, stale))
    assert outcome.non_2xx == 1 and outcome.statuses == {"409": 1}
    assert outcome.first_bad.startswith('409 {"code":409')
    assert StandIn.versions[1] == 5 and StandIn.versions[3] > 2


@needs_wrk
def test_a_paced_run_never_runs_ahead_of_its_timetable(stand_in: str, tmp_path: Path) -> None:
    outcome = run(Load("get", 2, 2, rate=10), stand_in, TOKEN, *data_files(tmp_path, {1: 5}))
    assert outcome.non_2xx == 0 and 0 < outcome.requests <= 10 * outcome.seconds + 2


def outcome(rate: float, p99: float = 50.0) -> Outcome:
    return Outcome(requests=int(rate * 10), seconds=10, non_2xx=0, late=0, p50_ms=p99 / 2,
                   p99_ms=p99, max_ms=p99, wrk_p99_ms=p99)


def test_the_report_gives_the_ratio_the_p99_and_the_memory_drift_after_warm_up() -> None:
    found = Measured(max_get=[outcome(100), outcome(90), outcome(80)],
                     max_fire=[outcome(70), outcome(60), outcome(75)],
                     half_get=outcome(45, 30), half_fire=outcome(35, 120), mixed=outcome(30),
                     warmup_s=120, findings=5000, units=5000,
                     samples=[(0, 11, 50), (120, 11, 100), (300, 11, 108), (600, 11, 104),
                              (0, 12, 300), (120, 12, 100), (600, 12, 100)])
    args = arguments(["--only", "http"])
    rates, latency, memory = http_report.sections(found, args)
    assert [row.value for row in rates.rows] == [90, 70]
    assert "transitions at 0.78 of the GET's rate: target ≥ 0.75 met" in rates.notes
    assert latency.rows[1].p99 == 120
    assert latency.notes[0].startswith("transitions' p99 120.0 ms at 35.0 req/s: target ≤ 100 ms missed")
    assert [(row.value, row.ratio, row.low, row.high) for row in memory.rows] == \
        [(104, 1.04, 100, 108), (100, 1.0, 100, 100)]  # before warm-up: not counted
    assert memory.notes[0] == "largest drift from the post-warm-up RSS: 8.0%: target ≤ 10% met"
    mib = 2**20  # the series by minute: warm-up's end (120 s), 180, 240 ... 600 s
    found.samples = [(at, pid, size * mib) for at, pid, size in found.samples]
    assert http_report.memory(found).notes[-2:] == [
        "worker 1: RSS at the warm-up's end and each minute after (MiB): "
        "100.0, 108.0, 108.0, 108.0, 104.0, 104.0, 104.0, 104.0, 104.0",
        "worker 2: RSS at the warm-up's end and each minute after (MiB): "
        + ", ".join(["100.0"] * 9)]
    found.samples = [(at, pid, size // mib) for at, pid, size in found.samples]
    found.samples += [(610, 12, 111), (300, 13, 60), (610, 13, 200)]  # 13 replaced 11
    memory = http_report.memory(found)
    assert "11.0%: target ≤ 10% missed" in memory.notes[0]
    assert memory.notes[1].startswith("1 worker(s) replaced during the load")
    assert [row.value for row in memory.rows] == [111]  # neither 11 (gone) nor 13 (no baseline)


def test_the_http_case_runs_only_when_named_and_says_why_it_cannot(tmp_path: Path) -> None:
    assert not wanted(arguments([]), "http")
    assert wanted(arguments(["--only", "http"]), "http")
    assert main(["--smoke", "--only", "http", "--no-sqlite", "--out", str(tmp_path)]) == 0
    results = json.loads((tmp_path / "latest.json").read_text())
    assert results["sections"] == []
    assert results["skipped"] == ["http skipped: it runs on PostgreSQL only (give --postgres URL)"]
