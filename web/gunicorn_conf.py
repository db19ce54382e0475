"""gunicorn settings for Rectify (`gunicorn -c python:web.gunicorn_conf 'web:create_app()'`):
/metrics counts every worker's requests (prometheus-client's multiprocess mode)."""

from __future__ import annotations

import os
import tempfile
from typing import Any

# Before any worker imports prometheus_client: each worker writes its numbers to files here,
# and a scrape answered by any worker reads them all. A fresh folder per server start.
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="rectify-metrics-"))


# Not sync workers: the arbiter kills one whose single request outlasts `timeout` (30 s), since it
# cannot report itself alive while it works, and a large export streams for minutes (1M CSV rows
# take about a minute, 100k Excel rows about half of one). A gthread worker reports from its main
# thread while the request runs in another; one thread each keeps one request at a time per
# worker, as before (--threads N to change it). tests/webapp/test_web_gunicorn_long.py.
worker_class = "gthread"
threads = 1


def child_exit(_server: Any, worker: Any) -> None:
    """A worker that ended stops counting as live (its totals stay)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
