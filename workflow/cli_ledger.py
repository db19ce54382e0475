"""`rectify ledger`: the ledger (台账) at the console, through the ledger's one contract."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import click
from sqlalchemy import select

from workflow.catalog import CATEGORIES, SEVERITIES
from workflow.cli_support import initialised_rectify, system_actor
from workflow.errors import RectifyError
from workflow.export import spreadsheet_safe
from workflow.models import Finding, Unit
from workflow.runtime import UnitOfWork
from workflow.services.ledger import LedgerFilter
from workflow.services.ledger_args import parse_ledger_args
from workflow.services.ledger_rows import COLUMNS, Cell, RowBuilder, row_builder
from workflow.services.ledger_view import every_finding, ledger_day

FILTER_OPTIONS = (  # the ledger's filters at the console: `rectify ledger` and `rectify export`
    click.option("--state", "states", multiple=True, help="Only these states (repeatable)."),
    click.option("--lifecycle"),
    click.option("--unit", "unit_code", help="Unit code: that unit and its subtree."),
    click.option("--category", type=click.Choice(list(CATEGORIES))),
    click.option("--severity", type=click.Choice(list(SEVERITIES))),
    click.option("--overdue/--not-overdue", default=None),
    click.option("--light", type=click.Choice(["green", "yellow", "red"])),
    click.option("--unacknowledged/--not-unacknowledged", default=None,
                 help="Only findings awaiting (or not awaiting) the unit's 签收."),
    click.option("--acknowledge-overdue/--not-acknowledge-overdue", default=None,
                 help="Only findings past (or not past) their 签收 deadline, still not signed."),
    click.option("--review-overdue/--not-review-overdue", default=None,
                 help="Only findings whose follow-up check (复查时限) is (or is not) late."),
    click.option("--open/--closed", "is_open", default=None),
    click.option("--text"),
    click.option("--as-of", "as_of", help="The ledger as it stood then: 2026-11-09 (end of the "
                 "day) or 2026-11-09T18:00, local time."),
    click.option("--lang", type=click.Choice(["zh", "en"]), default="zh"),
)
F = TypeVar("F", bound=Callable[..., Any])


def ledger_filter_options(command: F) -> F:
    """The ledger's filter options (and --lang) on a command; read them with console_filter."""
    for option in reversed(FILTER_OPTIONS):
        command = option(command)
    return command


def console_filter(uow: UnitOfWork, options: dict[str, Any]) -> LedgerFilter:
    """The options of ledger_filter_options -> a LedgerFilter through the ledger's one contract
    (the web page's, the API's); ClickException naming what is wrong."""
    args: dict[str, Any] = {
        "state": list(options["states"]), "lifecycle": options["lifecycle"],
        "category": options["category"], "severity": options["severity"],
        "overdue": options["overdue"], "light": options["light"], "open": options["is_open"],
        "q": options["text"], "unacknowledged": options["unacknowledged"],
        "acknowledge_overdue": options["acknowledge_overdue"],
        "review_overdue": options["review_overdue"],
        "as_of": options["as_of"], "unit": _unit_id(uow, options["unit_code"])}
    try:
        return parse_ledger_args({k: v for k, v in args.items() if v is not None},
                                 uow.registry, uow.now(), uow.zone).filter
    except RectifyError as exc:
        raise click.ClickException(str(exc)) from None


@click.command("ledger")
@ledger_filter_options
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table")
def ledger_command(fmt: str, **options: Any) -> None:
    """Print the ledger (台账) as a table, CSV or JSON (files for Excel: `rectify export`)."""
    rectify = initialised_rectify()
    with rectify.unit_of_work(write=False) as uow:
        flt = console_filter(uow, options)
        try:
            _echo_rows(row_builder(uow, options["lang"], ledger_day(uow, flt)),
                       every_finding(uow, system_actor(), flt), fmt)
        except RectifyError as exc:
            raise click.ClickException(str(exc)) from None


def _unit_id(uow: UnitOfWork, code: str | None) -> int | None:
    if not code:
        return None
    unit_id = uow.session.scalar(select(Unit.id).where(Unit.code == code))
    if unit_id is None:
        raise click.ClickException(f"unknown unit code {code!r}")
    return unit_id


def _echo_rows(rows: RowBuilder, findings: Iterator[Finding], fmt: str) -> None:
    """CSV and JSON stream row by row; the table needs every row to size its columns."""
    columns = [key for key, _zh, _en in COLUMNS]
    if fmt == "table":
        cells = [rows.cells(f) for f in findings]
        click.echo(_table(columns, cells) + f"{len(cells)} finding(s)")
        return
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for finding in findings:
            writer.writerow({k: spreadsheet_safe(v) for k, v in rows.cells(finding).items()})
            click.echo(out.getvalue(), nl=False)
            out.seek(0)
            out.truncate()
        click.echo(out.getvalue(), nl=False)
        return
    click.echo("[", nl=False)
    for n, finding in enumerate(findings):
        text = json.dumps(rows.cells(finding), ensure_ascii=False, indent=2)
        click.echo(("," if n else "") + "\n  " + text.replace("\n", "\n  "), nl=False)
    click.echo("\n]")


def _table(columns: list[str], rows: list[dict[str, Cell]]) -> str:
    from unicodedata import east_asian_width

    def width(text: str) -> int:
        return sum(2 if east_asian_width(ch) in "WF" else 1 for ch in text)

    def clip(text: str, size: int) -> str:
        out, used = "", 0
        for ch in text:
            w = width(ch)
            if used + w > size:
                return out + "…"
            out, used = out + ch, used + w
        return out

    cells = [[clip(str(r[c]), 36) for c in columns] for r in rows]
    widths = [max([width(c)] + [width(row[i]) for row in cells]) for i, c in enumerate(columns)]
    lines = ["  ".join(c + " " * (widths[i] - width(c)) for i, c in enumerate(columns))]
    for row in cells:
        lines.append("  ".join(v + " " * (widths[i] - width(v)) for i, v in enumerate(row)))
    return "\n".join(lines) + "\n"
