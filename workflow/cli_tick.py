"""`rectify tick`: one scheduler pass at the console (cron or a systemd timer runs it)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import click

from workflow.cli_support import initialised_rectify
from workflow.errors import DefinitionError
from workflow.services.tick import tick


@click.command("tick")
@click.option("--now", "moment", metavar="ISO",
              help="Run as of this moment (demos, tests), e.g. 2026-03-20T09:00; without a zone "
                   "it is the organisation's local time.")
def tick_command(moment: str | None) -> None:
    """Fire the escalation-ladder steps that fell due and queue the daily digests; safe to run
    from several hosts at once."""
    rectify = initialised_rectify()
    now = _moment(moment, rectify.zone) if moment else None
    try:  # a finding on a changed definition would stop every pass at it, as it stops the app
        rectify.check_definitions_in_use()
        rectify.check_unit_kinds_in_use()
    except DefinitionError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(str(tick(rectify, now)))


def _moment(text: str, zone: ZoneInfo) -> datetime:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter("use an ISO date and time, e.g. 2026-03-20T09:00",
                                 param_hint="--now") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=zone)
