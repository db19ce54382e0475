"""The dashboard's statistics as an Excel workbook: the figures by unit, in the user's language."""

from __future__ import annotations

import io

from flask import Response, request
from flask_babel import gettext as _
from openpyxl import Workbook

from web.i18n import lang
from web.pages import bp
from web.pages.dashboard import current_statistics
from web.pages.stats_view import breakdown_names
from web.uow import get_uow
from workflow.export import spreadsheet_safe
from workflow.services.stats_args import parse_stats_args
from workflow.services.stats_figures import COUNTED, RATES, Figures


def _headers() -> dict[str, str]:
    return {"raised": _("Raised"), "open": _("Open"), "rectified": _("Rectified"),
            "confirmed": _("Confirmed"), "overdue": _("Overdue"), "due": _("Due date came"),
            "on_time": _("Rectified on time"), "first_pass": _("Confirmed at the first pass"),
            "reworked": _("Reworked"), "rework_rounds": _("Rework rounds"),
            "recurring": _("Recurrences"), "proposed": _("Suggestions proposed"),
            "adopted": _("Adopted"), "implemented": _("Implemented"),
            "declined": _("Not adopted"), "rectification_rate": _("Rectification rate"),
            "on_time_rate": _("On-time rate"), "first_pass_rate": _("First-pass acceptance"),
            "adoption_rate": _("Adoption rate")}


@bp.route("/dashboard.xlsx")
def dashboard_xlsx() -> Response:
    """InvalidInput (a 422 naming each bad argument) before anything is written."""
    uow = get_uow()
    stats = current_statistics(parse_stats_args(request.args, uow.registry, uow.now(), uow.zone))
    headers, code = _headers(), lang()
    book = Workbook()
    sheet = book.active
    sheet.title = _("By unit")[:31]
    sheet.append([_("Unit"), *[headers[name] for name in (*COUNTED, *RATES)]])
    rows: list[tuple[str, Figures]] = [(u.name(code), n) for u, n in stats.by_unit]
    rows.append((_("Total"), stats.totals))
    for name, figures in rows:
        values = figures.as_dict()
        sheet.append([spreadsheet_safe(name), *[values[key] for key in (*COUNTED, *RATES)]])
    names = breakdown_names(stats)
    for key, title in (("lifecycle", _("By type")), ("category", _("By category")),
                       ("campaign_id", _("By campaign")), ("raised_by_id", _("By inspector"))):
        extra = book.create_sheet(title[:31])
        extra.append(["", *[headers[name] for name in (*COUNTED, *RATES)]])
        for value, figures in stats.by[key].items():
            values = figures.as_dict()
            extra.append([spreadsheet_safe(names[key][value]),
                          *[values[k] for k in (*COUNTED, *RATES)]])
    buffer = io.BytesIO()
    book.save(buffer)
    return Response(buffer.getvalue(),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": "attachment; filename=statistics.xlsx"})
