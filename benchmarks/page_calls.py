"""What a page case times besides the service: its rows by primary key (the floor) and the page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from benchmarks.world import Raw


def rows_by_id(raw: Raw, ids: list[int]) -> Callable[[], int]:
    """The floor: the findings with these ids in one SELECT on a raw connection."""
    marks = ", ".join("?" * len(ids)) or "NULL"
    return lambda: len(raw.query(f"SELECT * FROM findings WHERE id IN ({marks})", tuple(ids)))


def page_get(client: Any, path: str) -> Callable[[], int]:
    """GET the page (it must answer 200): its size in bytes."""
    def get() -> int:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return len(response.get_data())
    return get
