"""On the bulk world: the daily report (日日报) of today, whole tree and one group, against the
raw GROUP BY of its running totals over the same scope in the same run."""

from __future__ import annotations

from benchmarks.bulk import World
from benchmarks.bulk_cases import FLOOR_BY_STATE, scoped_section
from benchmarks.report import Section
from benchmarks.world import Raw, Target
from workflow.models import User
from workflow.runtime import Rectify
from workflow.services.daily import daily_report


def report_figures(app: Rectify, actor_id: int, focus: int | None) -> int:
    """SERVICE: what /reports/daily computes for today (figures, rows, happenings, fingerprint):
    the findings raised to date."""
    with app.unit_of_work(write=False) as uow:
        actor = uow.session.get_one(User, actor_id)
        made = daily_report(uow.session, actor, uow.registry, uow.today(), uow.zone, uow.now(),
                            focus)
        assert made.anchor is not None
        return made.totals.raised_to_date


def daily_section(app: Rectify, target: Target, world: World, whole: bool,
                  rounds: int) -> Section:
    def floor(raw: Raw, path: str) -> int:
        return sum(row[2] for row in raw.query(FLOOR_BY_STATE, (path + "%",)))

    return scoped_section(target, world, whole, rounds, "daily_report", floor,
                          lambda actor, focus: report_figures(app, actor, focus),
                          ", today's report (the fingerprint covers the whole record)")
