"""The ledger (台账): filters, keyset pages, sorting, CSV and Excel export of what is filtered."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from flask import Response, render_template, request
from openpyxl import Workbook

from web.auth import actor
from web.i18n import lang, message
from web.pages import bp
from web.uow import get_uow
from workflow.errors import InvalidInput
from workflow.export import spreadsheet_safe
from workflow.models import Finding
from workflow.services import LedgerFilter, Page, ledger
from workflow.services.directory import visible_campaigns, visible_units
from workflow.services.ledger import ledger_total
from workflow.services.ledger_args import LedgerQuery, parse_ledger_args
from workflow.services.ledger_rows import COLUMNS, LedgerRow, RowBuilder, row_builder
from workflow.services.light import today_cutoff


def ledger_query() -> LedgerQuery:
    """The query string through the ledger's one contract (InvalidInput names each bad argument)."""
    return parse_ledger_args(request.args, get_uow().registry, get_uow().zone)


def rows() -> RowBuilder:
    return row_builder(get_uow(), lang())


@bp.app_template_global("ledger_row")
def ledger_row(finding: Finding) -> LedgerRow:
    """What a finding table shows of a finding (ledger and My work alike)."""
    return rows().row(finding)


def all_rows(flt: LedgerFilter) -> Iterator[Finding]:
    uow, cursor = get_uow(), None
    while True:
        page = ledger(uow.session, actor(), flt, uow.today(), cursor, limit=500,
                      yellow_cutoff=today_cutoff(uow))
        yield from page.items
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def _page(query: LedgerQuery) -> Page:
    uow = get_uow()
    try:
        return ledger(uow.session, actor(), query.filter, uow.today(), query.cursor, 50,
                      yellow_cutoff=today_cutoff(uow))
    except InvalidInput:  # a cursor from another sort or an old link: the first page
        return ledger(uow.session, actor(), query.filter, uow.today(), None, 50,
                      yellow_cutoff=today_cutoff(uow))


@bp.route("/ledger")
def ledger_page():  # type: ignore[no-untyped-def]
    uow = get_uow()
    errors: dict[str, str] = {}
    try:
        query = ledger_query()
        page = _page(query)
        total = ledger_total(uow.session, actor(), query.filter, uow.today(), today_cutoff(uow))
    except InvalidInput as exc:  # shown beside the filters; nothing is listed for them
        errors = {k: message(v) for k, v in exc.errors.items()}
        query, page, total = LedgerQuery(LedgerFilter()), Page(), 0
    states = sorted({(s.name, s.label(lang())) for lc in uow.registry.latest() for s in lc.states},
                    key=lambda p: p[1])
    base_args = {k: v for k, v in request.args.items(multi=True) if k != "cursor"}
    return render_template("ledger.html", page=page, flt=query.filter, errors=errors, total=total,
                           units=visible_units(uow.session, actor()),
                           campaigns=visible_campaigns(uow.session, actor()),
                           states=states, lifecycles=uow.registry.latest(),
                           args=request.args, base_args=base_args), 422 if errors else 200


def _export_rows() -> Iterator[list[object]]:
    """Header, then one row per finding filtered; InvalidInput before the first row."""
    flt, builder = ledger_query().filter, rows()
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
