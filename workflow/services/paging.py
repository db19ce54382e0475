"""Numbered pages of a list (?page=N): the number read from a request, and how many there are."""

from __future__ import annotations

from workflow.errors import InvalidInput
from workflow.text import as_id

MAX_PAGE = 10_000
BAD_PAGE = {"zh": "页码应为 1 到 10000 的整数。", "en": "Enter a page number from 1 to 10000."}


def page_number(raw: object) -> int:
    """The page asked for (1 when none is); InvalidInput naming 'page' for anything but a whole
    number from 1 to MAX_PAGE."""
    if raw in (None, ""):
        return 1
    number = as_id(raw)
    if number is None or number > MAX_PAGE:
        raise InvalidInput({"page": BAD_PAGE})
    return number


def page_count(total: int, size: int) -> int:
    """Pages of `size` that `total` items fill (one, empty, when there are none)."""
    return max(1, -(-total // size))
