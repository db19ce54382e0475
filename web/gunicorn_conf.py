"""gunicorn settings for Rectify (`gunicorn -c python:web.gunicorn_conf 'web:create_app()'`):
/metrics counts every worker's requests (prometheus-client's multiprocess mode)."""

from __future__ import annotations

import os
import tempfile
from typing import Any

# Before any worker imports prometheus_client: each worker writes its numbers to files here,
# and a scrape answered by any worker reads them all. A fresh folder per server start.
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="rectify-metrics-"))


def child_exit(_server: Any, worker: Any) -> None:
    """A worker that ended stops counting as live (its totals stay)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
