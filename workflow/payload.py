"""Check a transition's payload against the fields it declares; messages in zh and en."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.errors import InvalidPayload
from workflow.models import Attachment, Unit
from workflow.spec.model import FieldSpec
from workflow.text import TextRefused, as_id, clean_text, is_blank

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class _Bad(Exception):
    def __init__(self, zh: str, en: str) -> None:
        self.message = {"zh": zh, "en": en}


@dataclass
class Cleaned:
    """Python values for guards and effects, JSON values for the event record."""

    values: dict[str, Any]
    record: dict[str, Any]
    attachments: list[Attachment]


@dataclass(frozen=True)
class Lookup:
    """What validation needs from outside: the session, today, and the actor's units."""

    session: Session
    today: date
    unit_in_scope: Callable[[Unit], bool]
    attachment_allowed: Callable[[Attachment], bool]


def clean(fields: Sequence[FieldSpec], payload: Mapping[str, Any], lookup: Lookup) -> Cleaned:
    """Validated payload, or InvalidPayload naming every field that is wrong."""
    errors: dict[str, dict[str, str]] = {}
    out = Cleaned({}, {}, [])
    known = {f.name for f in fields}
    for name in sorted(set(payload) - known):
        errors[name] = {"zh": "此操作没有这个字段。", "en": "This action has no such field."}
    for spec in fields:
        raw = payload.get(spec.name)
        try:
            if _is_blank(raw):
                if spec.required or (spec.type == "files" and spec.min_count > 0):
                    raise _Bad("此项必填。", "This field is required.")
                continue
            value, record = _CHECKERS[spec.type](spec, raw, lookup)
        except _Bad as bad:
            errors[spec.name] = bad.message
            continue
        out.values[spec.name], out.record[spec.name] = value, record
        if spec.type == "files":
            out.attachments.extend(value)
    if errors:
        raise InvalidPayload(errors)
    return out


def _is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and is_blank(raw)) or raw == []


def _text(spec: FieldSpec, raw: Any, lookup: Lookup) -> tuple[str, str]:
    if not isinstance(raw, str):
        raise _Bad("应为文本。", "Enter text.")
    try:  # the one text rule (workflow.text): declared text fields may span lines
        text = clean_text(raw, multiline=True).strip()
    except TextRefused as refused:
        raise _Bad(**refused.message) from None
    if spec.min_length is not None and len(text) < spec.min_length:
        raise _Bad(f"至少 {spec.min_length} 个字。", f"Enter at least {spec.min_length} characters.")
    if spec.max_length is not None and len(text) > spec.max_length:
        raise _Bad(f"最多 {spec.max_length} 个字。", f"Enter at most {spec.max_length} characters.")
    return text, text


def _date(spec: FieldSpec, raw: Any, lookup: Lookup) -> tuple[date, str]:
    if isinstance(raw, date) and not isinstance(raw, datetime):
        value = raw
    else:
        # Only YYYY-MM-DD text: fromisoformat alone also takes 20240401 and 2024-W10-5.
        text = raw.strip() if isinstance(raw, str) else ""
        parsed: date | None = None
        if _ISO_DATE.fullmatch(text):
            try:
                parsed = date.fromisoformat(text)
            except ValueError:
                parsed = None
        if parsed is None:
            raise _Bad("日期格式应为 YYYY-MM-DD。", "Enter a date as YYYY-MM-DD.")
        value = parsed
    if spec.min_days is not None and value < lookup.today + timedelta(days=spec.min_days):
        earliest = (lookup.today + timedelta(days=spec.min_days)).isoformat()
        raise _Bad(f"不能早于 {earliest}。", f"Enter a date on or after {earliest}.")
    if spec.max_days is not None and value > lookup.today + timedelta(days=spec.max_days):
        latest = (lookup.today + timedelta(days=spec.max_days)).isoformat()
        raise _Bad(f"不能晚于 {latest}。", f"Enter a date on or before {latest}.")
    return value, value.isoformat()


def _unit(spec: FieldSpec, raw: Any, lookup: Lookup) -> tuple[Unit, dict[str, Any]]:
    unit_id = as_id(raw)  # an integer or ASCII digits only: never 8.9 or "٨" as unit 8
    if unit_id is None:
        raise _Bad("应为单位编号。", "Enter a unit id.")
    unit = lookup.session.get(Unit, unit_id)
    in_scope = spec.unit_scope == "all" or lookup.unit_in_scope(unit) if unit else False
    if unit is None or not in_scope:
        raise _Bad("单位不存在或不在您的管辖范围内。", "There is no such unit within your scope.")
    if not unit.active:  # in scope: saying so shows nothing the actor may not see
        raise _Bad("该单位已停用，不能再选择。", "This unit is deactivated and can no longer be chosen.")
    return unit, unit_record(unit)


def unit_record(unit: Unit) -> dict[str, Any]:
    """How an event records a unit."""
    return {"id": unit.id, "code": unit.code, "name": unit.name_zh, "name_en": unit.name_en}


def _choice(spec: FieldSpec, raw: Any, lookup: Lookup) -> tuple[str, str]:
    values = [c.value for c in spec.choices]
    if raw not in values:
        raise _Bad(f"应为以下之一：{'、'.join(values)}。", f"Choose one of: {', '.join(values)}.")
    return str(raw), str(raw)


def _number(spec: FieldSpec, raw: Any, lookup: Lookup) -> tuple[float | int, float | int]:
    if isinstance(raw, bool):
        raise _Bad("应为数字。", "Enter a number.")
    try:
        number = float(raw)
    except (TypeError, ValueError, OverflowError):
        raise _Bad("应为数字。", "Enter a number.") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise _Bad("应为数字。", "Enter a number.")
    value: float | int = number
    if spec.integer:
        if not number.is_integer():
            raise _Bad("应为整数。", "Enter a whole number.")
        value = int(number)
    if spec.minimum is not None and value < spec.minimum:
        raise _Bad(f"不能小于 {spec.minimum:g}。", f"Enter a number of at least {spec.minimum:g}.")
    if spec.maximum is not None and value > spec.maximum:
        raise _Bad(f"不能大于 {spec.maximum:g}。", f"Enter a number of at most {spec.maximum:g}.")
    return value, value


def _files(spec: FieldSpec, raw: Any, lookup: Lookup) -> tuple[list[Attachment], list[str]]:
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise _Bad("应为已上传文件的列表。", "Send a list of uploaded files.")
    digests = list(dict.fromkeys(items))
    rows = lookup.session.scalars(select(Attachment).where(Attachment.sha256.in_(digests))
                                  .order_by(Attachment.id)).all()
    usable: dict[str, Attachment] = {}
    for row in rows:  # one row per uploader: the actor's own, or one already on this finding
        if row.sha256 not in usable and lookup.attachment_allowed(row):
            usable[row.sha256] = row
    found = [usable[d] for d in digests if d in usable]
    if len(found) != len(digests):
        raise _Bad("有文件不存在或无权使用，请重新上传。", "A file is not known to you: upload it again.")
    if len(found) < spec.min_count:
        raise _Bad(f"至少上传 {spec.min_count} 个文件。", f"Upload at least {spec.min_count} file(s).")
    if spec.max_count is not None and len(found) > spec.max_count:
        raise _Bad(f"最多上传 {spec.max_count} 个文件。", f"Upload at most {spec.max_count} file(s).")
    return found, [a.sha256 for a in found]


_CHECKERS: Mapping[str, Callable[[FieldSpec, Any, Lookup], tuple[Any, Any]]] = {
    "text": _text, "date": _date, "unit": _unit, "choice": _choice, "number": _number,
    "files": _files,
}
