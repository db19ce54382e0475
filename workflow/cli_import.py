"""`rectify import FILE --as USERNAME`: findings from a spreadsheet, through the import service."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from sqlalchemy import select

from workflow.cli_support import initialised_rectify
from workflow.errors import InvalidInput, RectifyError
from workflow.models import User
from workflow.services.import_check import ImportCheck, check_import
from workflow.services.import_columns import BY_KEY, ROW
from workflow.services.import_file import read_sheet
from workflow.services.importing import write_import


@click.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "username", required=True, help="The user who raises the findings.")
@click.option("--dry-run", is_flag=True, help="Check every row; write nothing.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh")
def import_command(path: Path, username: str, dry_run: bool, lang: str) -> None:
    """Import findings from an XLSX or CSV file (the template's columns): all rows or none."""
    rectify = initialised_rectify()
    with rectify.unit_of_work(write=not dry_run) as uow:
        actor = uow.session.scalar(select(User).where(User.username == username,
                                                      User.active.is_(True)))
        if actor is None:
            raise click.ClickException(f"unknown user {username!r}")
        try:
            sheet = read_sheet(path.read_bytes(), path.name)
            with click.progressbar(length=len(sheet.rows), label="checking rows",
                                   file=sys.stderr) as bar:
                check = check_import(uow, actor, sheet, bar.update)
            _echo_problems(check, lang)
            if check.failed:
                raise click.ClickException(f"{len(check.failed)} row(s) with errors; "
                                           "nothing was imported")
            if dry_run:
                click.echo(f"would import {len(check.ready)} finding(s); "
                           f"{len(check.skipped)} row(s) already imported")
                return
            with click.progressbar(length=len(check.ready), label="importing rows",
                                   file=sys.stderr) as bar:
                report = write_import(uow, actor, check, bar.update)
        except InvalidInput as exc:
            raise click.ClickException(" ".join(m[lang] for m in exc.errors.values())) from None
        except RectifyError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"imported {len(report.created)} finding(s) (batch {report.batch}); "
               f"{len(check.skipped)} row(s) already imported")


def _echo_problems(check: ImportCheck, lang: str) -> None:
    for row in check.skipped:
        click.echo(f"row {row.number}: already imported ({row.imported_as})")
    for row in check.failed:
        for key, message in row.errors.items():
            where = "" if key == ROW else f" {BY_KEY[key].label(lang)}"
            click.echo(f"row {row.number}{where}: {message[lang]}")
