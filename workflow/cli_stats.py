"""`rectify stats`: the dashboard's statistics at the console, through the statistics' contract."""

from __future__ import annotations

import json
from typing import Any

import click
from sqlalchemy import select

from workflow.cli_support import initialised_rectify, system_actor
from workflow.errors import RectifyError
from workflow.models import Unit, User
from workflow.runtime import Rectify
from workflow.services.stats_args import StatsQuery, parse_stats_args
from workflow.services.stats_report import statistics, statistics_dict
from workflow.services.tally_check import check_tallies


@click.command("stats")
@click.option("--unit", "unit_code", help="Unit code: that unit and its subtree.")
@click.option("--campaign", help="Campaign id.")
@click.option("--category")
@click.option("--raised-by", "raised_by", help="Username of the inspector who raised them.")
@click.option("--lifecycle")
@click.option("--from", "start", help="First day of the period (YYYY-MM-DD, local).")
@click.option("--to", "end", help="Last day of the period, included.")
@click.option("--as-of", "as_of", help="A past moment with its offset (ISO 8601).")
@click.option("--bucket", type=click.Choice(["week", "month"]), default="month")
@click.option("--check-tallies", "check", is_flag=True,
              help="Compare the kept tallies with a count of the findings (the whole tree and "
                   "the units of its first two levels); exit 1 if any figure differs.")
def stats_command(unit_code: str | None, campaign: str | None, category: str | None,
                  raised_by: str | None, lifecycle: str | None, start: str | None,
                  end: str | None, as_of: str | None, bucket: str, check: bool) -> None:
    """Print the statistics (every figure, by unit and breakdown, trends) as JSON."""
    rectify = initialised_rectify()
    if check:
        _check(rectify, bucket)
        return
    with rectify.unit_of_work(write=False) as uow:
        args: dict[str, Any] = {"campaign": campaign, "category": category,
                                "lifecycle": lifecycle, "from": start, "to": end,
                                "as_of": as_of, "bucket": bucket}
        if unit_code:
            args["unit"] = _id_of(uow.session.scalar(select(Unit.id).where(Unit.code == unit_code)),
                                  "unit", unit_code)
        if raised_by:
            args["raised_by"] = _id_of(uow.session.scalar(
                select(User.id).where(User.username == raised_by)), "user", raised_by)
        try:
            query = parse_stats_args({k: v for k, v in args.items() if v is not None},
                                     uow.registry, uow.now(), uow.zone)
            stats = statistics(uow.session, system_actor(), uow.registry, query, uow.now())
        except RectifyError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(json.dumps(statistics_dict(stats), ensure_ascii=False, indent=2, default=str))


def _check(rectify: Rectify, bucket: str) -> None:
    with rectify.unit_of_work(write=False) as uow:
        done = check_tallies(uow.session, system_actor(), uow.registry,
                             StatsQuery(bucket=bucket, zone=uow.zone), uow.now())
    if not done.ready:
        raise click.ClickException("the tallies do not count for today yet: run `rectify tick`")
    if done.differing:
        raise click.ClickException("the tallies differ from the findings for: "
                                   + ", ".join(done.differing))
    click.echo(f"the tallies agree with the findings for {len(done.checked)} scope(s): "
               + ", ".join(done.checked))


def _id_of(found: int | None, what: str, name: str) -> int:
    if found is None:
        raise click.ClickException(f"no {what} {name!r}")
    return found
