"""The ledger's sorts: each a key in SQL with a unique tiebreak by id, and its keyset cursor."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Date, Select, and_, func, literal_column, or_, select
from sqlalchemy.orm import aliased

from workflow.errors import InvalidInput
from workflow.models import Finding, Unit

COLUMNS = ("created", "due", "code", "unit", "state")  # "-" before one: descending
SORTS = ("-created", "created", "due", "-due", "code", "-code", "unit", "-unit", "state",
         "-state")
BAD_CURSOR = {"cursor": {"zh": "分页游标无效。",
                         "en": "This page cursor is not valid: start from the first page."}}


def sort_key(sort: str, src: Any = Finding, unit: Any = None) -> Any:
    """The column a sort orders by (src: Finding, or the as-of subquery's columns): undated
    findings last when ascending by due date (a far-future sentinel keeps the key total), the
    unit by its code (which follows the tree): `unit.code` when the query joins the finding's
    unit as `unit` (sorted_page does), else a subquery."""
    column = sort.lstrip("-")
    if column == "due":  # the sentinel written out, as in the index ix_findings_due_order
        return func.coalesce(src.due_date, literal_column(f"'{date.max.isoformat()}'", Date))
    if column == "code":
        return Finding.code
    if column == "state":
        return src.state
    if column == "unit" and unit is not None:
        return unit.code
    if column == "unit":
        return select(Unit.code).where(Unit.id == src.unit_id).scalar_subquery()
    return Finding.created_at


def sort_order(sort: str, src: Any = Finding, key: Any = None) -> tuple[Any, ...]:
    """ORDER BY of a sort: its key (sort_key's unless given), then the finding's id, both the
    sort's direction."""
    key = sort_key(sort, src) if key is None else key
    if sort.startswith("-"):
        return key.desc(), Finding.id.desc()
    return key, Finding.id


def sorted_page(query: Select[Any], sort: str, src: Any, cursor: str | None) -> Select[Any]:
    """The query in the sort's order, its key selected as `sort_key`, after the cursor's row.
    By unit, the unit is joined (its code is unique: the planner walks units in code order and
    each unit's findings by id, instead of sorting every finding by a subquery)."""
    unit = None
    if sort.lstrip("-") == "unit":
        unit = aliased(Unit, name="sort_unit")
        query = query.join(unit, unit.id == src.unit_id)
    key = sort_key(sort, src, unit)
    query = query.add_columns(key.label("sort_key")).order_by(*sort_order(sort, src, key))
    if not cursor:
        return query
    last_key, last_id = position(sort, cursor)
    # the bound on the key alone is implied by the OR beside it: it gives the planner where to
    # start in the sort's index (PostgreSQL otherwise filtered from the index's first row)
    if sort.startswith("-"):
        return query.where(key <= last_key,
                           or_(key < last_key, and_(key == last_key, Finding.id < last_id)))
    return query.where(key >= last_key,
                       or_(key > last_key, and_(key == last_key, Finding.id > last_id)))


def cursor_after(key: Any, finding_id: int) -> str:
    """The cursor of the page after the row with this sort key and id."""
    text = key.isoformat() if isinstance(key, date | datetime) else str(key)
    values = [text, finding_id]
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def _aware_datetime(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(UTC)  # OverflowError at the ends of the calendar: no such cursor


def _due_date(text: str) -> date:
    if len(text) != 10:
        raise ValueError("not a date")
    return date.fromisoformat(text)


def _text(text: str) -> str:
    if len(text) > 300:
        raise ValueError("too long for a code or a state")
    return text


_PARSERS: dict[str, Callable[[str], Any]] = {"created": _aware_datetime, "due": _due_date}


def position(sort: str, cursor: str) -> tuple[Any, int]:
    """(sort key, finding id) of the row a cursor of this sort follows; InvalidInput if none."""
    return decode(cursor, _PARSERS.get(sort.lstrip("-"), _text))


def decode(cursor: str, parse_key: Callable[[str], Any]) -> tuple[Any, int]:
    """(sort key, finding id) from a cursor of this sort; InvalidInput for anything else."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if (isinstance(values, list) and len(values) == 2 and isinstance(values[0], str)
                and type(values[1]) is int and 0 <= values[1] < 2**31):
            return parse_key(values[0]), values[1]
    except (ValueError, OverflowError, RecursionError, binascii.Error, UnicodeDecodeError):
        pass
    raise InvalidInput(BAD_CURSOR)
