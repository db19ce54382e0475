"""gunicorn serving the app on loopback for the HTTP case, and its workers' resident memory."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

WORKERS = 4


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`gunicorn -c python:web.gunicorn_conf --workers 4` on the target's database, request log
    off, and `rectify worker` beside it."""

    def __init__(self, database_url: str, folder: Path, workers: int = WORKERS) -> None:
        self.port, self.workers = free_port(), workers
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = folder / "gunicorn.log"
        (folder / "metrics").mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "RECTIFY_DATABASE_URL": database_url, "RECTIFY_INSTANCE_PATH": str(folder),
               "RECTIFY_SECRET_KEY": "http-benchmark", "RECTIFY_MAIL": "off",
               "RECTIFY_REQUEST_LOG": "0", "PROMETHEUS_MULTIPROC_DIR": str(folder / "metrics")}
        # RECTIFY_BENCH_TRACE=<folder>: the memory probe in each worker (benchmarks/http_trace.py)
        conf = "benchmarks.http_trace" if env.get("RECTIFY_BENCH_TRACE") else "web.gunicorn_conf"
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", f"python:{conf}",
                 "--workers", str(workers), "--bind", f"127.0.0.1:{self.port}", "web:create_app()"],
                env=env, stdout=out, stderr=out)
        # as deployed beside the web hosts: `rectify worker`, which delivers the outbox and keeps
        # the statistics' tallies every few seconds (without it their log grows for the whole
        # run, and each dashboard read with it)
        self.worker_log = folder / "worker.log"
        with self.worker_log.open("wb") as out:
            self.worker = subprocess.Popen(
                [sys.executable, "-c", "from web.cli import main; main()", "worker"],
                env=env, stdout=out, stderr=out)

    def wait_ready(self, timeout: float = 180) -> None:
        """Until /healthz answers and every worker is up."""
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn ended: " + self.log.read_text()[-2000:])
            if self.worker.poll() is not None:
                raise RuntimeError("rectify worker ended: " + self.worker_log.read_text()[-2000:])
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=30):
                    if len(self.worker_pids()) >= self.workers:
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start: " + self.log.read_text()[-2000:])
            time.sleep(0.3)

    def worker_pids(self) -> list[int]:
        return children(self.process.pid)

    def stop(self) -> None:
        for process in (self.process, self.worker):
            process.terminate()
        for process in (self.process, self.worker):
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def rss(pid: int) -> tuple[int, int]:
    """Resident set size and its anonymous part, in bytes (/proc/<pid>/status VmRSS, RssAnon)."""
    fields: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "RssAnon"):
            fields[name] = int(value.split()[0]) * 1024
    return fields["VmRSS"], fields.get("RssAnon", 0)
