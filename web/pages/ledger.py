"""The ledger (台账): filters, keyset pages, sorting, CSV and Excel export of what is filtered."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from flask import Response, render_template, request
from flask_babel import gettext as _
from openpyxl import Workbook

from web.auth import actor
from web.i18n import lang
from web.pages import bp
from web.pages.helpers import as_int, is_overdue, state_label
from web.uow import get_uow
from workflow.catalog import CATEGORIES, SEVERITIES, label
from workflow.errors import InvalidInput
from workflow.export import spreadsheet_safe
from workflow.models import Finding
from workflow.services import LedgerFilter, ledger
from workflow.services.directory import visible_campaigns, visible_units


def filter_from_args() -> LedgerFilter:
    args = request.args
    overdue = {"1": True, "0": False}.get(args.get("overdue", ""))
    is_open = {"1": True, "0": False}.get(args.get("open", ""))
    category = args.get("category") if args.get("category") in CATEGORIES else None
    severity = args.get("severity") if args.get("severity") in SEVERITIES else None
    return LedgerFilter(
        states=tuple(s for s in args.getlist("state") if s), lifecycle=args.get("lifecycle") or None,
        unit_id=as_int(args.get("unit")), campaign_id=as_int(args.get("campaign")),
        category=category, severity=severity, overdue=overdue, open=is_open,
        text=(args.get("q") or "").strip()[:200] or None,
        sort="due" if args.get("sort") == "due" else "-created",
    )


def all_rows(flt: LedgerFilter) -> Iterator[Finding]:
    uow, cursor = get_uow(), None
    while True:
        page = ledger(uow.session, actor(), flt, uow.today(), cursor, limit=500)
        yield from page.items
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


@bp.route("/ledger")
def ledger_page():  # type: ignore[no-untyped-def]
    uow = get_uow()
    flt = filter_from_args()
    try:
        page = ledger(uow.session, actor(), flt, uow.today(), request.args.get("cursor"), 50)
    except InvalidInput:
        page = ledger(uow.session, actor(), flt, uow.today(), None, 50)
    units = visible_units(uow.session, actor())
    campaigns = visible_campaigns(uow.session, actor())
    states = sorted({(s.name, s.label(lang())) for lc in uow.registry.latest() for s in lc.states},
                    key=lambda p: p[1])
    base_args = {k: v for k, v in request.args.items(multi=True) if k != "cursor"}
    return render_template("ledger.html", page=page, flt=flt, units=units, campaigns=campaigns,
                           states=states, lifecycles=uow.registry.latest(),
                           args=request.args, base_args=base_args)


def _columns() -> list[tuple[str, str]]:
    return [("code", _("Code")), ("title", _("Title")), ("unit", _("Responsible unit")),
            ("lifecycle", _("Type")), ("state", _("State")), ("category", _("Category")),
            ("severity", _("Severity")), ("due_date", _("Due date")),
            ("overdue", _("Overdue")), ("rework_rounds", _("Rework rounds")),
            ("created_at", _("Raised at")), ("closed_at", _("Closed at"))]


def _row(f: Finding) -> dict[str, Any]:
    code = lang()
    return {
        "code": f.code, "title": f.title, "unit": f.unit.name(code),
        "lifecycle": get_uow().registry.get(f.lifecycle, f.lifecycle_version).label(code),
        "state": state_label(f), "category": label(CATEGORIES, f.category, code),
        "severity": label(SEVERITIES, f.severity, code),
        "due_date": f.due_date.isoformat() if f.due_date else "",
        "overdue": _("yes") if is_overdue(f) else "", "rework_rounds": f.rework_rounds,
        "created_at": f.created_at.astimezone(get_uow().zone).strftime("%Y-%m-%d %H:%M"),
        "closed_at": f.closed_at.astimezone(get_uow().zone).strftime("%Y-%m-%d %H:%M")
        if f.closed_at else "",
    }


@bp.route("/ledger.csv")
def ledger_csv():  # type: ignore[no-untyped-def]
    columns = _columns()
    out = io.StringIO()
    out.write("\ufeff")  # so Excel opens UTF-8 Chinese correctly
    writer = csv.writer(out)
    writer.writerow([title for _key, title in columns])
    for finding in all_rows(filter_from_args()):
        row = _row(finding)
        writer.writerow([spreadsheet_safe(row[key]) for key, _title in columns])
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=ledger.csv"})


@bp.route("/ledger.xlsx")
def ledger_xlsx():  # type: ignore[no-untyped-def]
    columns = _columns()
    book = Workbook()
    sheet = book.active
    sheet.title = "ledger"
    sheet.append([title for _key, title in columns])
    for finding in all_rows(filter_from_args()):
        row = _row(finding)
        sheet.append([spreadsheet_safe(row[key]) for key, _title in columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return Response(buffer.getvalue(),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": "attachment; filename=ledger.xlsx"})
