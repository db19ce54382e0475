"""`rectify report daily` (日日报) and `rectify verify --anchor`: the report and its paper anchor."""

from __future__ import annotations

import io
import sys
from datetime import date
from pathlib import Path

import click
from sqlalchemy import select

from workflow.cli_support import initialised_rectify, system_actor
from workflow.daily_sheet import write_text, write_xlsx
from workflow.errors import InvalidInput, RectifyError
from workflow.models import Unit
from workflow.runtime import Rectify
from workflow.services.anchor import anchor_at, anchor_holds, count_findings, parse_anchor
from workflow.services.daily import daily_report


@click.group("report")
def report_command() -> None:
    """Reports for the leadership."""


@report_command.command("daily")
@click.option("--date", "day", required=True, metavar="YYYY-MM-DD",
              help="The day (local time, Asia/Shanghai by default).")
@click.option("--unit", "unit_code", help="Unit code: rows are its children (default: the root).")
@click.option("--format", "fmt", type=click.Choice(["text", "xlsx"]), default="text",
              show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, writable=True),
              help="The file to write (required for xlsx).")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
def daily_command(day: str, unit_code: str | None, fmt: str, output: str | None,
                  lang: str) -> None:
    """The daily report (日日报): new, rectified, confirmed, overdue and escalated findings of
    the day by unit, running totals, the day's list, and the record's fingerprint."""
    try:
        the_day = date.fromisoformat(day)
    except ValueError:
        raise click.BadParameter("use a date as YYYY-MM-DD", param_hint="--date") from None
    if fmt == "xlsx" and not output:
        raise click.UsageError("--format xlsx writes a file: give --output FILE")
    rectify = initialised_rectify()
    with rectify.unit_of_work(write=False) as uow:
        unit_id = None
        if unit_code:
            unit_id = uow.session.scalar(select(Unit.id).where(Unit.code == unit_code))
            if unit_id is None:
                raise click.ClickException(f"unknown unit code {unit_code!r}")
        try:
            report = daily_report(uow.session, system_actor(), uow.registry, the_day, uow.zone,
                                  uow.now(), unit_id)
        except RectifyError as exc:
            raise click.ClickException(str(exc)) from None
        if fmt == "xlsx":
            with open(str(output), "wb") as handle:
                write_xlsx(report, lang, uow.zone, handle)
            click.echo(f"wrote {output}")
        else:
            text = io.StringIO()
            write_text(report, lang, uow.zone, text)
            if output:
                Path(output).write_text(text.getvalue(), encoding="utf-8")
            else:
                click.echo(text.getvalue(), nl=False)


def verify_anchor(rectify: Rectify, text: str) -> None:
    """Recompute the fingerprint at the anchor's time; exit 0 if it matches, 1 if not."""
    try:
        expected, cutoff = parse_anchor(text)
    except InvalidInput as exc:
        raise click.BadParameter(exc.errors["anchor"]["en"], param_hint="--anchor") from None
    with rectify.unit_of_work(write=False) as uow:
        total = count_findings(uow.session)
        with click.progressbar(length=total, label="findings", file=sys.stderr) as bar:
            anchor = anchor_at(uow.session, cutoff, lambda _id: bar.update(1))
    if anchor_holds(expected, anchor):
        click.echo(f"ok: the record up to {anchor.text.partition('@')[2]} is unchanged "
                   f"({anchor.events} events of {anchor.findings} findings; fingerprint "
                   f"{anchor.fingerprint})")
        return
    click.echo(f"FAILED: the record up to {anchor.text.partition('@')[2]} was rewritten: the "
               f"fingerprint is now {anchor.short} ({anchor.fingerprint}), the anchor says "
               f"{expected} ({anchor.events} events of {anchor.findings} findings now)")
    sys.exit(1)
