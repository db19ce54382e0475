"""The daily report (日日报): the day's figures, running totals, the unit breakdown and scope."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import false
from stats_world_support import random_world

from workflow.errors import Forbidden, InvalidInput
from workflow.models import Unit, User
from workflow.runtime import Rectify
from workflow.services import daily
from workflow.services.accounts import create_user
from workflow.services.daily import FIGURES_OF_DAY, DayFigures, daily_report

Flow = Any  # the `flow` fixture from tests/conftest.py
DAY1 = date(2026, 3, 2)  # the FakeClock's first day (09:00 in Asia/Shanghai)


def report(rectify: Rectify, actor: User, day: date, unit_id: int | None = None) -> Any:
    """The report, read while its session is open (rows by unit code, happenings as pairs)."""
    with rectify.unit_of_work(write=False) as uow:
        made = daily_report(uow.session, actor, uow.registry, day, uow.zone, uow.now(), unit_id)
        return SimpleNamespace(
            focus=made.focus.code, totals=made.totals, anchor=made.anchor,
            rows={unit.code: figures for unit, figures in made.rows},
            happened={(h.code, h.what) for h in made.happenings})


def day_figures(figures: DayFigures) -> tuple[int, ...]:
    return tuple(getattr(figures, name) for name in FIGURES_OF_DAY)


def running(figures: DayFigures) -> tuple[int, int, int, int]:
    return (figures.raised_to_date, figures.confirmed_to_date, figures.open_at_cutoff,
            figures.overdue_at_cutoff)


@pytest.fixture
def three_days(flow: Flow, rectify: Rectify) -> SimpleNamespace:
    """Day 1: four raised and assigned (B due that very day, E an escalation finding);
    day 2: A reported rectified, E escalated, B overdue since the day began; day 3: A confirmed."""
    org = flow.org
    a = flow.drive(flow.raise_(title="Exit A blocked").id, "assign")
    b = flow.raise_(title="Exit B blocked", unit=org.sub_a1.id)
    flow.fire(b.id, "assign", payload={"requirement": "Fix it today",
                                       "due_date": DAY1.isoformat()})
    c = flow.drive(flow.raise_(title="Exit C blocked", unit=org.sub_b1.id).id, "assign")
    e = flow.drive(flow.raise_("escalation", title="Landlord E refuses", unit=org.group_b.id).id, "assign")
    rectify.clock.advance(days=1)
    flow.fire(a.id, "report_rectification")
    flow.fire(e.id, "escalate")
    rectify.clock.advance(days=1)
    flow.drive(a.id, "revisit", "confirm")
    return SimpleNamespace(a=a.code, b=b.code, c=c.code, e=e.code)


def test_the_days_figures_running_totals_and_units(rectify: Rectify, flow: Flow,
                                                   three_days: Any) -> None:
    org, got = flow.org, three_days
    days = [report(rectify, org.supervisor, DAY1 + timedelta(days=n), org.inspection_body.id)
            for n in range(3)]
    # new, rectified, confirmed, became overdue, escalated
    assert [day_figures(d.totals) for d in days] == [
        (4, 0, 0, 0, 0), (0, 1, 0, 1, 1), (0, 0, 1, 0, 0)]
    # raised to date, confirmed to date, open and overdue at the cut-off
    assert [running(d.totals) for d in days] == [(4, 0, 4, 0), (4, 0, 4, 1), (4, 1, 3, 1)]
    assert days[1].happened == {(got.a, "rectified"), (got.b, "overdue"), (got.e, "escalated")}
    assert days[2].happened == {(got.a, "confirmed")}
    for made in days:  # a row per child of the chosen unit, its own row first: they add up
        assert list(made.rows) == ["IB", "GA", "GB"]
        summed = DayFigures()
        for figures in made.rows.values():
            summed.add(figures)
        assert summed == made.totals
    ga, gb = days[1].rows["GA"], days[1].rows["GB"]  # B, at GA-1, counts in GA's subtree
    assert (ga.rectified, ga.overdue, ga.escalated, gb.escalated, gb.raised_to_date) == (
        1, 1, 0, 1, 2)


def test_a_department_supervisor_sees_only_its_subtree(rectify: Rectify, flow: Flow,
                                                       three_days: Any) -> None:
    org = flow.org
    with rectify.unit_of_work() as uow:
        group_a = uow.session.get(Unit, org.group_a.id)
        create_user(uow.session, "sup_a", "甲集团督查员", org.password, ["supervisor"], group_a)
        uow.commit()
    with rectify.unit_of_work(write=False) as uow:
        sup_a = uow.session.query(User).filter_by(username="sup_a").one()
        assert sup_a.unit.code == "GA"  # loaded before the session lets it go
        uow.session.expunge_all()
    day2 = DAY1 + timedelta(days=1)
    mine = report(rectify, sup_a, day2)
    assert mine.focus == "GA" and list(mine.rows) == ["GA", "GA-1", "GA-2"]
    assert running(mine.totals) == (2, 0, 2, 1)
    assert mine.happened == {(three_days.a, "rectified"), (three_days.b, "overdue")}
    with pytest.raises(InvalidInput) as outside:
        report(rectify, sup_a, day2, org.group_b.id)
    assert set(outside.value.errors) == {"unit"}
    with pytest.raises(Forbidden):  # a unit's handler has no dashboard, and no daily report
        report(rectify, org.handler_a, day2)


def test_a_day_still_to_come_is_refused(rectify: Rectify, flow: Flow) -> None:
    with pytest.raises(InvalidInput) as info:
        report(rectify, flow.org.supervisor, DAY1 + timedelta(days=1))
    assert set(info.value.errors) == {"date"}


@pytest.mark.parametrize("seed", [1, 2])
def test_quiet_findings_counted_from_their_rows_as_their_events_count_them(
        rectify: Rectify, flow: Flow, seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """On random worlds, every day's report (figures, rows, what happened) is the one that
    replays every finding's events: the rows of the findings with no event since the day
    began stand for their events. Most days count some findings that way."""
    random_world(flow, rectify, seed)
    counted = []
    real_count = daily._count_quiet
    monkeypatch.setattr(daily, "_count_quiet",
                        lambda figures, *args: counted.append(args[-1]) or real_count(figures, *args))
    with rectify.unit_of_work(write=False) as uow:
        last = uow.today()
    quiet_days = 0
    for n in range((last - DAY1).days + 1):
        day = DAY1 + timedelta(days=n)
        counted.clear()
        got = report(rectify, flow.org.supervisor, day, flow.org.inspection_body.id)
        quiet_days += sum(counted) > 0
        with monkeypatch.context() as replay_all:
            replay_all.setattr(daily, "_quiet_clause", lambda _start, _day: false())
            expected = report(rectify, flow.org.supervisor, day, flow.org.inspection_body.id)
        assert (got.totals, got.rows, got.happened) == (
            expected.totals, expected.rows, expected.happened), day
    assert quiet_days > (last - DAY1).days // 2
