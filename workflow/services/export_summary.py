"""An export's name (sheet and file, by language, scope and date) and its summary in words: the
filter used, the totals of the rows written."""

from __future__ import annotations

import dataclasses
import re
from datetime import date

from sqlalchemy.orm import Session

from workflow.catalog import CATEGORIES, SEVERITIES, label
from workflow.models import User
from workflow.services.directory import campaign_in_view, unit_in_view
from workflow.services.ledger import LedgerFilter
from workflow.services.ledger_export import LIGHTS, Totals
from workflow.spec import Registry

TITLE = ("整改台账", "Ledger")
_UNSAFE = re.compile(r'[\x00-\x1f\x7f\\/:*?"<>|\[\]]+')  # not in file or sheet names
_LABELS = {  # filter field -> (zh, en)
    "states": ("状态", "State"), "lifecycle": ("问题类型", "Type"),
    "unit_id": ("责任单位", "Responsible unit"),
    "unit_only": ("仅该单位本级（不含下级）", "That unit's own only (not its sub-units)"),
    "campaign_id": ("专项检查", "Campaign"),
    "category": ("问题类别", "Category"), "severity": ("严重程度", "Severity"),
    "overdue": ("已逾期", "Overdue"), "review_overdue": ("复查超时", "Follow-up check late"),
    "acknowledge_overdue": ("签收超时", "Acknowledgement late"), "open": ("未办结", "Open"),
    "text": ("关键词", "Text"), "light": ("亮灯", "Light"),
    "unacknowledged": ("待签收", "Awaiting acknowledgement"), "sort": ("排序", "Sort"),
}
_SORTS = {"-created": ("按登记时间倒序", "newest first"), "created": ("按登记时间", "oldest first"),
          "due": ("按整改期限", "by due date"), "-due": ("按整改期限倒序", "latest due first"),
          "code": ("按编号", "by code"), "-code": ("按编号倒序", "by code, descending"),
          "unit": ("按责任单位", "by unit"), "-unit": ("按责任单位倒序", "by unit, descending"),
          "state": ("按状态", "by state"), "-state": ("按状态倒序", "by state, descending")}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "zh" else pair[1]


def safe_name(text: str) -> str:
    """Text usable in a file name and a sheet name on every system."""
    return _UNSAFE.sub("_", text).strip(" .") or "_"


def scope_name(session: Session, actor: User, flt: LedgerFilter, lang: str) -> str:
    """The unit the export is filtered to (if the actor may see it: else its number), or "全部" /
    "all"."""
    if flt.unit_id is None:
        return _pick(("全部", "all"), lang)
    unit = unit_in_view(session, actor, flt.unit_id)
    return unit.name(lang) if unit else f"#{flt.unit_id}"


def export_name(session: Session, actor: User, flt: LedgerFilter, lang: str, day: date,
                limit: int | None = None) -> str:
    """"整改台账-市纪委监委-2026-11-29": a file's stem, or with a limit (Excel's 31 characters
    for a sheet) the scope cut short, never the date."""
    title, scope = _pick(TITLE, lang), scope_name(session, actor, flt, lang)
    if limit is not None:
        scope = scope[:max(1, limit - len(title) - len(day.isoformat()) - 2)]
    return safe_name(f"{title}-{scope}-{day.isoformat()}")


def filter_lines(session: Session, registry: Registry, actor: User, flt: LedgerFilter,
                 lang: str) -> list[tuple[str, str]]:
    """Each filter that narrows the export, in words; the sort last."""
    lines = []
    for spec in dataclasses.fields(flt):
        value = getattr(flt, spec.name)
        if value in (None, (), "") or spec.name == "sort":
            continue
        name = _pick(_LABELS[spec.name], lang) if spec.name in _LABELS else spec.name
        lines.append((name, _words(session, registry, actor, spec.name, value, lang)))
    if not lines:
        lines.append((_pick(("筛选", "Filter"), lang), _pick(("无（全部可见问题）",
                                                              "none (every finding visible)"), lang)))
    lines.append((_pick(_LABELS["sort"], lang), _pick(_SORTS.get(flt.sort, (flt.sort,) * 2), lang)))
    return lines


def _words(session: Session, registry: Registry, actor: User, name: str, value: object,
           lang: str) -> str:
    if isinstance(value, bool):
        return _pick(("是", "yes") if value else ("否", "no"), lang)
    if name == "states" and isinstance(value, tuple):
        labels = {s.name: s.label(lang) for lc in registry.latest() for s in lc.states}
        names = [labels.get(str(v), str(v)) for v in value]
        return "、".join(names) if lang == "zh" else ", ".join(names)
    if name == "lifecycle":
        return next((lc.label(lang) for lc in registry.latest() if lc.name == value), str(value))
    if name == "unit_id":
        return scope_name(session, actor, LedgerFilter(unit_id=int(str(value))), lang) + _pick(
            ("（含下级单位）", " (and the units below it)"), lang)
    if name == "campaign_id":
        campaign = campaign_in_view(session, actor, int(str(value)))
        return campaign.name if campaign else f"#{value}"
    vocabulary = {"category": CATEGORIES, "severity": SEVERITIES, "light": LIGHTS}.get(name)
    return label(vocabulary, str(value), lang) if vocabulary else str(value)


def totals_lines(totals: Totals, lang: str) -> list[tuple[str, int]]:
    """Rows, open, overdue, then the rows in each state (most first)."""
    lines = [(_pick(("合计", "Rows"), lang), totals.rows),
             (_pick(("未办结", "Open"), lang), totals.open),
             (_pick(("已逾期", "Overdue"), lang), totals.overdue)]
    state = _pick(("状态", "State"), lang)
    lines += [(f"{state}：{name}" if lang == "zh" else f"{state}: {name}", n)
              for name, n in totals.by_state.most_common()]
    return lines
