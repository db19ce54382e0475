"""Links a finding table repeats on every row, built once per table (url_for per row was a
measurable part of a 50-row page)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import url_for

from web.pages import bp

_MARK = 987654321  # a finding id no route's fixed text contains


@bp.app_template_global("id_links")
def id_links(endpoint: str, arg: str = "finding_id") -> Callable[[int], str]:
    """The URL of `endpoint` for any id, as url_for builds it (built once, the id put in)."""
    values: dict[str, Any] = {arg: _MARK}
    head, _, tail = url_for(endpoint, **values).partition(str(_MARK))
    return lambda id_: f"{head}{id_}{tail}"
