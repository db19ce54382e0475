"""`rectify export`: the 整改台账 as an Excel or CSV file, filtered like `rectify ledger`."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from workflow.cli_ledger import console_filter, ledger_filter_options
from workflow.cli_support import initialised_rectify, system_actor
from workflow.errors import RectifyError
from workflow.ledger_files import csv_chunks, file_name, write_xlsx
from workflow.services.ledger_export import LedgerExport


@click.command("export")
@ledger_filter_options
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), default="xlsx")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: 整改台账-<scope>-<date>.<format> here).")
def export_command(fmt: str, output: Path | None, **options: Any) -> None:
    """Write the ledger (整改台账) with every column, as filtered, to an Excel or CSV file."""
    rectify = initialised_rectify()
    with rectify.unit_of_work(write=False) as uow:
        try:
            export = LedgerExport(uow, system_actor(), console_filter(uow, options),
                                  options["lang"])
            target = output or Path(file_name(export, fmt))
            with click.progressbar(length=export.count(), label=target.name, file=sys.stderr) as bar:
                _write(export, fmt, target, bar.update)
        except RectifyError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"{export.totals.rows} finding(s) -> {target}")


def _write(export: LedgerExport, fmt: str, target: Path, progress: Callable[[int], None]) -> None:
    if fmt == "xlsx":
        with target.open("wb") as out:
            write_xlsx(export, out, progress)
    else:
        with target.open("w", encoding="utf-8", newline="") as text:
            text.writelines(csv_chunks(export, progress))
