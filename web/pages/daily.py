"""The daily report (日日报) page and its XLSX, over the same service as `rectify report daily`."""

from __future__ import annotations

import io
from datetime import date

from flask import Response, render_template, request

from web.auth import actor
from web.i18n import lang
from web.pages import bp
from web.uow import get_uow
from workflow.daily_sheet import FIGURES, write_xlsx
from workflow.errors import InvalidInput
from workflow.services.daily import DailyReport, daily_report, day_anchor

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _day(text: str | None) -> date:
    """The date asked for (today when absent); InvalidInput naming the field otherwise."""
    if not text:
        return get_uow().today()
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise InvalidInput({"date": {"zh": "日期格式应为 YYYY-MM-DD。", "en": "Enter a date as YYYY-MM-DD."}})


def _report(anchor: bool = True) -> DailyReport:
    uow = get_uow()
    return daily_report(uow.session, actor(), uow.registry, _day(request.args.get("date")),
                        uow.zone, uow.now(), request.args.get("unit"), anchor)


@bp.route("/reports/daily")
def daily_page() -> str:
    """Printable; rows are the chosen unit's children (default: the top of what one sees).
    The fingerprint comes apart (daily_anchor, fetched by print.js), or with anchor=1 inline."""
    report = _report(anchor=request.args.get("anchor") == "1")
    return render_template("reports/daily.html", report=report, figures=FIGURES,
                           zone=get_uow().zone)


@bp.route("/reports/daily/anchor")
def daily_anchor() -> str:
    """The record's fingerprint at a daily report's cut-off (?at=ISO time), as a fragment."""
    uow = get_uow()
    anchor = day_anchor(uow.session, actor(), request.args.get("at", ""), uow.now())
    return render_template("reports/daily_anchor.html", anchor=anchor)


@bp.route("/reports/daily.xlsx")
def daily_xlsx() -> Response:
    report = _report()
    out = io.BytesIO()
    write_xlsx(report, lang(), get_uow().zone, out)
    name = f"daily-{report.day.isoformat()}-unit{report.focus.id}.xlsx"
    return Response(out.getvalue(), mimetype=XLSX,
                    headers={"Content-Disposition": f"attachment; filename={name}"})
