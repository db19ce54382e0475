"""Whether the kept tallies give what the findings give: `rectify stats --check-tallies`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.models import Unit, User
from workflow.services.stats_args import StatsQuery
from workflow.services.stats_report import statistics, statistics_dict
from workflow.services.tallies import tallies_ready
from workflow.spec import Registry


@dataclass
class TallyCheck:
    """The units whose statistics were compared, and those whose figures differ."""

    ready: bool = False  # the tallies count for today (else nothing was compared)
    checked: list[str] = field(default_factory=list)  # unit codes
    differing: list[str] = field(default_factory=list)


def check_tallies(session: Session, actor: User, registry: Registry, query: StatsQuery,
                  now: datetime) -> TallyCheck:
    """The statistics of the whole scope and of each unit just below its top, from the tallies
    and from the findings (every figure, by unit and breakdown, durations, stays, trends)."""
    today = now.astimezone(query.zone).date()
    check = TallyCheck(tallies_ready(session, today, None, query.zone))
    if not check.ready:
        return check
    tops = session.scalars(select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.id)).all()
    units = [None, *tops, *session.scalars(select(Unit).where(
        Unit.parent_id.in_([u.id for u in tops])).order_by(Unit.id))]
    for unit in units:
        asked = StatsQuery(unit_id=None if unit is None else unit.id, bucket=query.bucket,
                           zone=query.zone)
        kept, counted = (statistics_dict(statistics(session, actor, registry, asked, now,
                                                    tallies=way)) for way in (True, False))
        name = "(all)" if unit is None else unit.code
        check.checked.append(name)
        if kept != counted:
            check.differing.append(name)
    return check
