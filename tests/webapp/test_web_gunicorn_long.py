"""Under web/gunicorn_conf.py a response that outlasts the workers' timeout still completes: a
large export streams for minutes, and a sync worker is killed by the arbiter after `timeout`
seconds of one request (it cannot report itself alive while it works)."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.webapp.slow_wsgi import CHUNKS
from tests.webapp.test_web_gunicorn_metrics import free_port
from workflow.config import REPO_ROOT


def _serve(tmp_path: Path, *extra: str) -> tuple[bytes | None, str]:
    """Start gunicorn with the app's settings and a 1 s timeout on the slow app; (the body it sent
    or None if it broke off, its log)."""
    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "python:web.gunicorn_conf", "--workers", "1",
             "--timeout", "1", *extra, "--bind", f"127.0.0.1:{port}", "tests.webapp.slow_wsgi:app"],
            env=env, stdout=out, stderr=out, cwd=REPO_ROOT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as response:
                    return response.read(), log.read_text()
            except urllib.error.URLError as exc:  # not listening yet
                assert isinstance(exc.reason, ConnectionRefusedError), exc
                assert server.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.3)
            except (OSError, http.client.IncompleteRead):  # killed while it streamed
                return None, log.read_text()
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_response_longer_than_the_timeout_completes(tmp_path: Path) -> None:
    body, log = _serve(tmp_path)
    assert body == b"".join(f"chunk {n}\n".encode() for n in range(CHUNKS)), log
    assert "WORKER TIMEOUT" not in log


@pytest.mark.parametrize("worker_class", ["sync"])
def test_with_sync_workers_it_would_be_cut(tmp_path: Path, worker_class: str) -> None:
    """Why the configuration does not use them (the check above would catch a return to them)."""
    body, log = _serve(tmp_path, "--worker-class", worker_class)
    assert "WORKER TIMEOUT" in log
    assert body is None or len(body) < CHUNKS * len(b"chunk 0\n")
