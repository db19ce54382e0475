"""The ledger (台账): filters, keyset pages, sorting, CSV and Excel export of what is filtered."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime

from flask import Response, g, render_template, request
from openpyxl import Workbook

from web.auth import actor
from web.i18n import lang, message
from web.pages import bp
from web.uow import get_uow
from workflow.errors import InvalidInput
from workflow.export import spreadsheet_safe
from workflow.models import Finding
from workflow.services import LedgerFilter, Page
from workflow.services.directory import visible_campaigns, visible_units
from workflow.services.ledger_args import LedgerQuery, parse_ledger_args
from workflow.services.ledger_rows import COLUMNS, LedgerRow, RowBuilder, row_builder
from workflow.services.ledger_view import every_finding, ledger_day, read_ledger


def ledger_query() -> LedgerQuery:
    """The query string through the ledger's one contract (InvalidInput names each bad argument)."""
    uow = get_uow()
    return parse_ledger_args(request.args, uow.registry, uow.now(), uow.zone)


def rows() -> RowBuilder:
    """Rows as of today, or of the day the ledger page is viewed as of (g.ledger_day)."""
    return row_builder(get_uow(), lang(), g.get("ledger_day"))


@bp.app_template_global("ledger_row")
def ledger_row(finding: Finding) -> LedgerRow:
    """What a finding table shows of a finding (ledger and My work alike)."""
    return rows().row(finding)


def all_rows(flt: LedgerFilter) -> Iterator[Finding]:
    return every_finding(get_uow(), actor(), flt)


def _page(query: LedgerQuery) -> Page:
    uow = get_uow()
    try:
        return read_ledger(uow, actor(), query.filter, query.cursor, 50)
    except InvalidInput as exc:  # a cursor from another sort or an old link: the first page
        if "cursor" not in exc.errors:
            raise
        return read_ledger(uow, actor(), query.filter, None, 50)


@bp.route("/ledger")
def ledger_page():  # type: ignore[no-untyped-def]
    uow = get_uow()
    errors: dict[str, str] = {}
    try:
        query = ledger_query()
        if query.filter.as_of:  # the rows' overdue and lights as of that day
            g.ledger_day = ledger_day(uow, query.filter)
        page = _page(query)
    except InvalidInput as exc:  # shown beside the filters; nothing is listed for them
        errors = {k: message(v) for k, v in exc.errors.items()}
        query, page = LedgerQuery(LedgerFilter()), Page()
    states = sorted({(s.name, s.label(lang())) for lc in uow.registry.latest() for s in lc.states},
                    key=lambda p: p[1])
    base_args = {k: v for k, v in request.args.items(multi=True) if k != "cursor"}
    return render_template("ledger.html", page=page, flt=query.filter, errors=errors,
                           units=visible_units(uow.session, actor()),
                           campaigns=visible_campaigns(uow.session, actor()),
                           states=states, lifecycles=uow.registry.latest(),
                           args=request.args, base_args=base_args,
                           now_args={k: v for k, v in base_args.items() if k != "as_of"},
                           as_of=_local(query.filter.as_of)), 422 if errors else 200


def _local(moment: datetime | None) -> datetime | None:
    return moment.astimezone(get_uow().zone) if moment else None


def _export_rows() -> Iterator[list[object]]:
    """Header, then one row per finding filtered; InvalidInput before the first row."""
    flt = ledger_query().filter
    builder = row_builder(get_uow(), lang(), ledger_day(get_uow(), flt))
    yield list(builder.headers())
    for finding in all_rows(flt):
        cells = builder.cells(finding)
        yield [spreadsheet_safe(cells[key]) for key, _zh, _en in COLUMNS]


def _export(render: str) -> Response | tuple[str, int]:
    try:
        table = _export_rows()
        header = next(table)
    except InvalidInput as exc:
        text = "; ".join(f"{k}: {message(v)}" for k, v in exc.errors.items())
        return render_template("error.html", code=422, message=text), 422
    return _csv(header, table) if render == "csv" else _xlsx(header, table)


def _csv(header: list[object], table: Iterator[list[object]]) -> Response:
    out = io.StringIO()
    out.write("\ufeff")  # so Excel opens UTF-8 Chinese correctly
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(table)
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=ledger.csv"})


def _xlsx(header: list[object], table: Iterator[list[object]]) -> Response:
    book = Workbook()
    sheet = book.active
    sheet.title = "ledger"
    sheet.append(header)
    for row in table:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return Response(buffer.getvalue(),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": "attachment; filename=ledger.xlsx"})


@bp.route("/ledger.csv")
def ledger_csv():  # type: ignore[no-untyped-def]
    return _export("csv")


@bp.route("/ledger.xlsx")
def ledger_xlsx():  # type: ignore[no-untyped-def]
    return _export("xlsx")
