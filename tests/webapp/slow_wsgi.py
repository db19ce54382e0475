"""A WSGI app whose one response streams for longer than the test gives gunicorn's timeout: what a
large export does (a 1M-row CSV takes about a minute)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

CHUNKS, PAUSE = 8, 0.5  # 4 s in all


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterator[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    for n in range(CHUNKS):
        time.sleep(PAUSE)
        yield f"chunk {n}\n".encode()
