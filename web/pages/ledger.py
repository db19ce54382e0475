"""The ledger (台账): filters, keyset pages, sorting; the 整改台账 of what is filtered as CSV and Excel."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import datetime
from typing import IO, Any
from urllib.parse import quote, urlencode

from flask import Response, g, render_template, request, url_for

from web.auth import actor
from web.i18n import lang, message
from web.pages import bp
from web.pages.bulk import bulk_bar
from web.uow import get_uow, rectify
from workflow.errors import InvalidInput
from workflow.ledger_files import XLSX_TYPE, csv_chunks, file_name, write_xlsx
from workflow.models import Finding, User
from workflow.runtime import Rectify
from workflow.services import LedgerFilter, Page
from workflow.services.directory import visible_campaigns
from workflow.services.ledger_args import LedgerQuery, parse_ledger_args
from workflow.services.ledger_export import LedgerExport
from workflow.services.ledger_rows import LedgerRow, RowBuilder, row_builder
from workflow.services.ledger_view import LedgerCount, count_ledger, ledger_day, read_ledger
from workflow.services.saved_filters import saved_filters

CHUNK = 64 * 1024


def ledger_query() -> LedgerQuery:
    """The query string through the ledger's one contract (InvalidInput names each bad argument)."""
    uow = get_uow()
    return parse_ledger_args(request.args, uow.registry, uow.now(), uow.zone)


@bp.app_template_global("ledger_rows")
def rows() -> RowBuilder:
    """Rows as of today, or of the day the ledger page is viewed as of (g.ledger_day); a table
    takes it once for all its rows."""
    return row_builder(get_uow(), lang(), g.get("ledger_day"))


@bp.app_template_global("ledger_row")
def ledger_row(finding: Finding) -> LedgerRow:
    """What a finding table shows of a finding (ledger and My work alike)."""
    return rows().row(finding)


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
        total = count_ledger(uow, actor(), query.filter, None if query.cursor else page)
    except InvalidInput as exc:  # shown beside the filters; nothing is listed for them
        errors = {k: message(v) for k, v in exc.errors.items()}
        query, page, total = LedgerQuery(LedgerFilter()), Page(), LedgerCount(0)
    states = sorted({(s.name, s.label(lang())) for lc in uow.registry.latest() for s in lc.states},
                    key=lambda p: p[1])
    base_args = {k: request.args.getlist(k) for k in request.args if k != "cursor"}
    return render_template("ledger.html", page=page, flt=query.filter, errors=errors, total=total,
                           bulk=None if query.filter.as_of else bulk_bar(page.items),
                           sorts=sort_links(query.filter.sort, base_args),
                           saved=saved_filters(uow, actor()),
                           query_string=urlencode(base_args, doseq=True),
                           campaigns=visible_campaigns(uow.session, actor()),
                           states=states, lifecycles=uow.registry.latest(),
                           args=request.args, base_args=base_args,
                           now_args={k: v for k, v in base_args.items() if k != "as_of"},
                           as_of=_local(query.filter.as_of)), 422 if errors else 200


def sort_links(current: str, base_args: dict[str, list[str]]) -> dict[str, tuple[str, str]]:
    """Each sortable column's header link (ascending, or descending when it is the sort
    already) and its aria-sort."""
    args: dict[str, Any] = {k: v for k, v in base_args.items() if k != "sort"}
    links = {}
    for column in ("code", "unit", "state", "due"):
        aria = {column: "ascending", f"-{column}": "descending"}.get(current, "none")
        toggled = f"-{column}" if current == column else column
        links[column] = (url_for("pages.ledger_page", sort=toggled, **args), aria)
    return links


def _local(moment: datetime | None) -> datetime | None:
    return moment.astimezone(get_uow().zone) if moment else None


def _export(render: str) -> Response | tuple[str, int]:
    """The 整改台账 as filtered on the page; a 422 page for bad arguments, before any row."""
    try:
        export = LedgerExport(get_uow(), actor(), ledger_query().filter, lang())
    except InvalidInput as exc:
        text = " ".join(f"{k}: {message(v)}" for k, v in exc.errors.items())
        return render_template("error.html", code=422, message=text), 422
    return _csv(export) if render == "csv" else _xlsx(export)


def attachment(name: str, fallback: str) -> str:
    """Content-Disposition for a download: an ASCII name, and the real one per RFC 5987."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _csv(export: LedgerExport) -> Response:
    """Streamed as it is read from the database."""
    disposition = attachment(file_name(export, "csv"), "ledger.csv")
    stream = _csv_stream(rectify(), export.actor.id, export.flt, export.lang)
    return Response(stream, mimetype="text/csv", headers={"Content-Disposition": disposition})


def _csv_stream(engine: Rectify, actor_id: int, flt: LedgerFilter, language: str) -> Iterator[str]:
    """The rows read in a unit of work of their own: the request's closes when the view returns,
    before the server iterates the response."""
    with engine.unit_of_work(write=False) as uow:
        user = uow.session.get(User, actor_id)
        if user is not None:
            yield from csv_chunks(LedgerExport(uow, user, flt, language))


def _xlsx(export: LedgerExport) -> Response:
    """openpyxl finishes a workbook before it can be sent: written to a temporary file (rows
    stream through), then sent from it in chunks and closed."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (closed once sent, or when the response is)
    try:
        write_xlsx(export, spool)
        size = spool.tell()
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    response = Response(_chunks(spool), mimetype=XLSX_TYPE, headers={
        "Content-Disposition": attachment(file_name(export, "xlsx"), "ledger.xlsx"),
        "Content-Length": str(size)})
    response.call_on_close(spool.close)
    return response


def _chunks(spool: IO[bytes]) -> Iterator[bytes]:
    with spool:
        while chunk := spool.read(CHUNK):
            yield chunk


@bp.route("/ledger.csv")
def ledger_csv():  # type: ignore[no-untyped-def]
    return _export("csv")


@bp.route("/ledger.xlsx")
def ledger_xlsx():  # type: ignore[no-untyped-def]
    return _export("xlsx")
