"""On the bulk world: the daily report (日日报) of today, whole tree and one group, against the
raw GROUP BY of its running totals over the same scope in the same run."""

from __future__ import annotations

from benchmarks.bulk import World
from benchmarks.bulk_cases import FLOOR_BY_STATE, scoped_section
from benchmarks.report import Section
from benchmarks.world import Raw, Target
from workflow.models import User
from workflow.runtime import Rectify
from workflow.services.anchor import anchor_at
from workflow.services.daily import daily_report


def report_figures(app: Rectify, actor_id: int, focus: int | None) -> int:
    """SERVICE: what /reports/daily computes for today (figures, rows, happenings; the page
    fetches the fingerprint apart): the findings raised to date."""
    with app.unit_of_work(write=False) as uow:
        actor = uow.session.get_one(User, actor_id)
        made = daily_report(uow.session, actor, uow.registry, uow.today(), uow.zone, uow.now(),
                            focus, anchor=False)
        return made.totals.raised_to_date


def fingerprint(app: Rectify) -> int:
    """SERVICE: what /reports/daily/anchor computes (today's report's, at now): the findings
    its heads cover. The same whatever the unit."""
    with app.unit_of_work(write=False) as uow:
        return anchor_at(uow.session, uow.now(), rows=True).findings


def daily_section(app: Rectify, target: Target, world: World, whole: bool,
                  rounds: int) -> Section:
    def floor(raw: Raw, path: str) -> int:
        return sum(row[2] for row in raw.query(FLOOR_BY_STATE, (path + "%",)))

    return scoped_section(target, world, whole, rounds, "daily_report", floor,
                          lambda actor, focus: report_figures(app, actor, focus),
                          ", today's report; its fingerprint (the whole record's, fetched by "
                          "the page apart) timed on its own row",
                          {"fingerprint (anchor_at)": lambda: fingerprint(app)})
