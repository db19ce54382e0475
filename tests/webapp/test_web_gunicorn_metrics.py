"""Under gunicorn, /metrics answered by any worker counts every worker's requests, those of
workers since replaced too (web/gunicorn_conf.py: prometheus-client's multiprocess mode)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from workflow.config import Settings
from workflow.runtime import Rectify

REQUESTS = 24


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return str(response.read().decode())


def healthz_count(text: str) -> float:
    return sum(s.value for family in text_string_to_metric_families(text) for s in family.samples
               if s.name == "rectify_http_request_duration_seconds_count"
               and s.labels.get("endpoint") == "pages.healthz")


def test_every_workers_requests_are_counted(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'rectify.db'}"
    Rectify(Settings.from_env(database_url=url)).database.upgrade()
    port = free_port()
    env = {**os.environ, "RECTIFY_DATABASE_URL": url, "RECTIFY_INSTANCE_PATH": str(tmp_path),
           "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics")}
    (tmp_path / "metrics").mkdir()
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "python:web.gunicorn_conf", "--workers", "2",
             "--max-requests", "6", "--bind", f"127.0.0.1:{port}", "web:create_app()"],
            env=env, stdout=out, stderr=out)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                get(f"{base}/healthz")
                break
            except OSError:
                assert server.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.5)
        with ThreadPoolExecutor(8) as pool:  # at once, so both workers take some
            list(pool.map(lambda _: get(f"{base}/healthz"), range(REQUESTS)))
        scrapes = [healthz_count(get(f"{base}/metrics")) for _ in range(6)]
        assert scrapes == [REQUESTS + 1] * 6  # whichever worker answered
        # each worker is replaced after about 6 requests (a gthread worker may take one or two
        # more before it stops accepting, so not always 24 // 6): the totals span more processes
        # than the two that started, one replaced at least
        workers = {p.name.rsplit("_", 1)[1] for p in (tmp_path / "metrics").glob("histogram_*.db")}
        assert len(workers) > 2, workers
    finally:
        server.terminate()
        server.wait(timeout=30)
