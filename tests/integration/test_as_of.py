"""Findings as of a past moment (services.as_of): rebuilt from the events, agreeing with the row
now, and showing the unit, due date and state they had before later steps."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from workflow.errors import InvalidInput
from workflow.models import Finding, User
from workflow.services import as_of
from workflow.services.as_of import findings_as_of
from workflow.services.ledger import LedgerFilter
from workflow.services.ledger_args import parse_ledger_args
from workflow.services.ledger_rows import LedgerRow, row_builder
from workflow.services.ledger_view import every_finding, ledger_day, read_ledger
from workflow.services.stats_args import StatsQuery
from workflow.services.stats_report import statistics

COLUMNS = ("state", "is_open", "unit_id", "due_date", "rework_rounds", "rectified_at",
           "rectified_on", "closed_at", "last_seq", "lifecycle_version")


def rows_as_of(flow: Any, moment: datetime) -> dict[int, dict[str, Any]]:
    with flow.app.unit_of_work(write=False) as uow:
        sub = findings_as_of(uow.registry, moment, uow.zone)
        return {row.id: {c: getattr(row, c) for c in COLUMNS}
                for row in uow.session.execute(select(sub))}


def rows_now(flow: Any) -> dict[int, dict[str, Any]]:
    with flow.app.unit_of_work(write=False) as uow:
        return {f.id: {c: getattr(f, c) for c in COLUMNS}
                for f in uow.session.scalars(select(Finding))}


@pytest.fixture(params=["by name", "by lifecycle"])
def matching(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Shipped definitions let triggers and final states be matched by name alone; "by
    lifecycle" makes findings_as_of take the way definitions that differ would need."""
    as_of._conditions.cache_clear()
    if request.param == "by lifecycle":
        monkeypatch.setattr(as_of, "_elsewhere", lambda registry, pairs: {
            trigger for _name, trigger in pairs})
        monkeypatch.setattr(as_of, "_uniform_finals", lambda registry: None)
    yield str(request.param)
    as_of._conditions.cache_clear()


def test_as_of_now_is_the_row(flow: Any, clock: Any, matching: str) -> None:
    """Every column rebuilt from the events equals the row's, through rework, extension,
    reassignment and closing."""
    with flow.app.unit_of_work(write=False) as uow:
        joined = "JOIN findings" in str(as_of._latest(uow.registry, clock()))
    assert joined == (matching == "by lifecycle")
    a = flow.raise_().id
    flow.drive(a, "assign", "report_rectification", "revisit")
    clock.advance(hours=2)
    flow.drive(a, "reject", "request_extension", "approve_extension")
    b = flow.raise_(due_date=(flow.today() + timedelta(days=5)).isoformat()).id
    flow.drive(b, "reassign")
    c = flow.raise_().id
    clock.advance(hours=1)
    flow.drive(c, "assign", "report_rectification", "revisit", "confirm")
    flow.raise_("immediate")
    assert rows_as_of(flow, clock()) == rows_now(flow)


def test_the_past_shows_the_old_unit_due_date_and_state(flow: Any, clock: Any) -> None:
    """Before a reassignment the old unit; before an extension the old due date; before a
    rework no rework round; a finding raised later is absent."""
    org = flow.org
    a = flow.raise_().id
    flow.drive(a, "assign")
    first_due = flow.finding(a).due_date
    clock.advance(days=1)
    before = clock()
    clock.advance(minutes=1)
    flow.drive(a, "request_extension", "approve_extension")
    flow.drive(a, "report_rectification", "revisit", "reject")
    b = flow.raise_().id
    clock.advance(minutes=1)
    before_reassign = clock()
    clock.advance(minutes=1)
    flow.fire(b, "reassign")
    after = rows_as_of(flow, clock())
    past = rows_as_of(flow, before)
    assert set(past) == {a}
    assert past[a]["due_date"] == first_due < after[a]["due_date"]
    assert (past[a]["state"], past[a]["rework_rounds"]) == ("assigned", 0)
    assert (after[a]["state"], after[a]["rework_rounds"]) == ("assigned", 1)
    assert after[b]["unit_id"] == org.group_b.id
    assert rows_as_of(flow, before_reassign)[b]["unit_id"] == org.group_a.id


def seen(flow: Any, actor: Any, **filters: Any) -> dict[int, Any]:
    """The ledger as the page and the CLI read it: {id: finding as listed}."""
    with flow.app.unit_of_work(write=False) as uow:
        flt = LedgerFilter(**filters)
        rows = row_builder(uow, "en", ledger_day(uow, flt))
        return {f.id: Seen(f.unit_id, f.due_date, f.state, rows.row(f))
                for f in every_finding(uow, actor, flt)}


@dataclass(frozen=True)
class Seen:
    unit_id: int
    due_date: date | None
    state: str
    row: LedgerRow


def test_ledger_as_of_shows_the_unit_before_a_reassignment(flow: Any, clock: Any) -> None:
    """The unit filter and the reader's scope apply to the unit then (group_b's handler did not
    see it then), and the scope now as well: group_a's handler, who saw it then, no longer sees
    it (its page and the columns not rebuilt from the events are today's)."""
    org = flow.org
    fid = flow.raise_().id  # at group_a
    clock.advance(hours=1)
    before = clock()
    clock.advance(hours=1)
    flow.fire(fid, "reassign")  # to group_b
    past = seen(flow, org.admin, as_of=before)
    assert past[fid].unit_id == org.group_a.id
    assert past[fid].row.unit == org.group_a.name("en")
    assert fid in seen(flow, org.admin, as_of=before, unit_id=org.group_a.id)
    assert fid not in seen(flow, org.admin, unit_id=org.group_a.id)
    assert fid not in seen(flow, org.handler_a, as_of=before)  # moved out of its scope since
    assert fid not in seen(flow, org.handler_b, as_of=before)
    assert fid in seen(flow, org.handler_b) and fid not in seen(flow, org.handler_a)
    raised = {who: counted_as_of(flow, who, before) for who in ("supervisor", "handler_reviewer_a")}
    assert raised == {"supervisor": 1, "handler_reviewer_a": 0}  # statistics: the same rule


def counted_as_of(flow: Any, username: str, moment: datetime) -> int:
    """Findings raised that the statistics count for this user as of the moment."""
    with flow.app.unit_of_work(write=False) as uow:
        query = StatsQuery(as_of=moment, zone=uow.zone)
        actor = uow.session.get(User, flow.org.users[username].id)
        return statistics(uow.session, actor, uow.registry, query, uow.now()).totals.raised


def test_ledger_as_of_shows_the_due_date_before_an_extension(flow: Any, clock: Any) -> None:
    """Overdue as of a day past the first due date, before the extension was granted; not
    overdue now on the extended date. A finding raised after the moment is absent."""
    fid = flow.raise_().id
    flow.drive(fid, "assign", "request_extension")
    first_due = flow.finding(fid).due_date
    early = clock()  # weeks before the first due date: on time then
    clock.set(datetime.combine(first_due + timedelta(days=2), time(2), UTC))
    late = clock()
    clock.advance(minutes=5)
    flow.fire(fid, "approve_extension")
    later = flow.raise_().id
    extended = flow.finding(fid).due_date
    assert extended > first_due + timedelta(days=2)
    past = seen(flow, flow.org.admin, as_of=late)
    then = past[fid]
    assert (then.due_date, then.state, then.row.overdue, then.row.light.colour) == (
        first_due, "extension_requested", True, "red")
    assert later not in past
    assert set(seen(flow, flow.org.admin, as_of=late, overdue=True)) == {fid}
    assert not seen(flow, flow.org.admin, overdue=True)
    assert not seen(flow, flow.org.admin, as_of=early, overdue=True)
    assert seen(flow, flow.org.admin, as_of=early)[fid].row.light.colour == "green"
    now = seen(flow, flow.org.admin)
    assert now[fid].due_date == extended and not now[fid].row.overdue


def test_as_of_argument(flow: Any, clock: Any) -> None:
    """A date is the end of that day (today: now), a time without offset is local time; a
    future moment, a malformed one, and filters not rebuilt as of a moment are refused,
    naming the field."""
    registry, zone, now = flow.app.registry, flow.app.zone, clock()

    def parse(**args: Any) -> Any:
        return parse_ledger_args(args, registry, now, zone).filter

    yesterday = (now.astimezone(zone) - timedelta(days=1)).date()
    assert parse(as_of=yesterday.isoformat()).as_of == datetime.combine(
        yesterday, time.max, zone).astimezone(UTC)
    assert parse(as_of=now.astimezone(zone).date().isoformat()).as_of == now
    assert parse(as_of="2026-03-01T18:00").as_of == datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    for bad in ("2999-01-01", (now + timedelta(minutes=1)).isoformat(), "yesterday", "9999-12-31"):
        with pytest.raises(InvalidInput) as refused:
            parse(as_of=bad)
        assert set(refused.value.errors) == {"as_of"}, bad
        assert {"zh", "en"} <= set(refused.value.errors["as_of"])
    assert "future" in parse_error(parse, as_of="2999-01-01")
    with pytest.raises(InvalidInput) as refused:
        seen(flow, flow.org.admin, as_of=now, unacknowledged=True, review_overdue=False)
    assert set(refused.value.errors) == {"unacknowledged", "review_overdue"}


def parse_error(parse: Any, **args: Any) -> str:
    with pytest.raises(InvalidInput) as refused:
        parse(**args)
    return str(refused.value.errors["as_of"]["en"])


def test_closing_and_reports_as_of_before_and_after(flow: Any, clock: Any, matching: str
                                                     ) -> None:
    """Open (and not closed) before the confirmation, closed after it; reported rectified after
    the report (on the local day: the steps cross midnight in Beijing), no longer once the
    check sent it back."""
    clock.set(datetime(2026, 3, 2, 13, 30, tzinfo=UTC))
    fid = flow.raise_().id
    moments = []
    for step in ("assign", "report_rectification", "revisit", "reject", "report_rectification",
                 "revisit", "confirm"):
        clock.advance(hours=1)
        flow.fire(fid, step)
        moments.append(clock())
        clock.advance(minutes=1)
    now = flow.finding(fid)
    rows = [rows_as_of(flow, moment)[fid] for moment in moments]
    assert [r["is_open"] for r in rows] == [True] * 6 + [False]
    assert [r["closed_at"] for r in rows] == [None] * 6 + [now.closed_at]
    assert [r["rectified_at"] is not None for r in rows] == [False, True, True, False, True,
                                                             True, True]
    assert rows[1]["rectified_at"] == moments[1] and rows[-1]["rectified_at"] == moments[4]
    assert (rows[1]["rectified_on"], rows[-1]["rectified_on"]) == (date(2026, 3, 2),
                                                                   date(2026, 3, 3))
    assert rows[-1]["rectified_on"] == now.rectified_on


def pages_as_of(flow: Any, moment: Any, sort: str) -> list[int]:
    """The admin's ledger as of the moment in that sort, one finding per keyset page."""
    seen_ids: list[int] = []
    cursor = None
    with flow.app.unit_of_work(write=False) as uow:
        while True:
            page = read_ledger(uow, flow.org.admin, LedgerFilter(as_of=moment, sort=sort),
                               cursor, limit=1)
            seen_ids += [f.id for f in page.items]
            if (cursor := page.next_cursor) is None:
                return seen_ids


@pytest.mark.parametrize("sort", ["-created", "due"])
def test_pages_as_of_a_moment(flow: Any, clock: Any, sort: str) -> None:
    """Keyset pages as of a moment list each finding once, in the order of the dates then."""
    ids = [flow.raise_(due_date=(flow.today() + timedelta(days=d)).isoformat()).id
           for d in (9, 3, 6)]
    moment = clock()
    clock.advance(minutes=1)
    flow.drive(ids[1], "assign", "request_extension", "approve_extension")  # now due last
    assert pages_as_of(flow, moment, sort) == ([ids[1], ids[2], ids[0]] if sort == "due" else ids[::-1])


@pytest.mark.parametrize("sort", ["state", "-state", "-due"])
def test_sorts_as_of_a_moment_use_the_state_and_due_date_then(flow: Any, clock: Any,
                                                             sort: str) -> None:
    """As of a moment, sorted by state or due date (descending): the values then, keyset paged."""
    ids = [flow.raise_(due_date=(flow.today() + timedelta(days=d)).isoformat()).id
           for d in (9, 3, 6)]
    flow.drive(ids[2], "assign")
    then = {fid: flow.finding(fid) for fid in ids}
    moment = clock()
    clock.advance(minutes=1)
    flow.drive(ids[1], "assign", "request_extension", "approve_extension")  # now due last
    flow.drive(ids[0], "assign")
    column = {"state": lambda fid: then[fid].state, "due": lambda fid: then[fid].due_date}
    key = column[sort.lstrip("-")]
    expected = sorted(ids, key=lambda fid: (key(fid), fid), reverse=sort.startswith("-"))
    assert pages_as_of(flow, moment, sort) == expected
    assert len({then[fid].state for fid in ids}) == 2  # the states differ as of then


def test_sorted_by_unit_as_of_a_moment_uses_the_unit_then(flow: Any, clock: Any) -> None:
    """By unit (the unit joined, its code the key), as of a moment: the unit then, keyset paged;
    now, the unit now."""
    org = flow.org
    at_b = flow.raise_(unit=org.group_b.id).id
    at_a = flow.raise_(unit=org.group_a.id).id  # GA sorts before GB
    moment = clock()
    clock.advance(minutes=1)
    flow.fire(at_a, "reassign")  # to group_b: both now at GB, by id
    assert pages_as_of(flow, moment, "unit") == [at_a, at_b]
    assert pages_as_of(flow, moment, "-unit") == [at_b, at_a]
    assert pages_as_of(flow, None, "unit") == [at_b, at_a]
