"""The daily report (日日报): a day's findings by unit with running totals, read from the events
(those of the findings that moved on or since the day; the rest counted from their rows)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from workflow.errors import InvalidInput
from workflow.models import Event, Finding, Unit, User
from workflow.services.anchor import Anchor, anchor_at, parse_cutoff
from workflow.services.counts import Summable
from workflow.services.day_meaning import Meanings, due_date_after, meanings
from workflow.services.permissions import require
from workflow.services.scope import answered_clause, focus_unit, units_clause
from workflow.services.stats_facts import micros
from workflow.spec import Registry

HAPPENINGS = ("new", "rectified", "confirmed", "overdue", "escalated")
FIGURES_OF_DAY = HAPPENINGS  # each happening is counted in the figure of its name


@dataclass
class DayFigures(Summable):
    """The five figures of the day, then the running totals at the cut-off."""

    new: int = 0
    rectified: int = 0
    confirmed: int = 0
    overdue: int = 0
    escalated: int = 0
    raised_to_date: int = 0
    confirmed_to_date: int = 0
    open_at_cutoff: int = 0
    overdue_at_cutoff: int = 0



@dataclass(frozen=True)
class Happening:
    """One thing that happened to a finding on the day (`what` is one of HAPPENINGS)."""

    finding_id: int
    code: str
    title: str
    unit_id: int
    unit_names: tuple[str, str]  # zh, en
    what: str
    at: datetime

    def unit_name(self, lang: str) -> str:
        return self.unit_names[0] if lang.startswith("zh") else self.unit_names[1]


@dataclass
class DailyReport:
    day: date
    start: datetime  # the day's first moment (UTC)
    cutoff: datetime  # the end of the day, or now for today (UTC)
    focus: Unit
    rows: list[tuple[Unit, DayFigures]]
    totals: DayFigures
    happenings: list[Happening] = field(default_factory=list)
    anchor: Anchor | None = None


def day_bounds(day: date, zone: ZoneInfo, now: datetime) -> tuple[datetime, datetime]:
    """(start, cut-off) of a local day in UTC; the cut-off is its last microsecond, or now for
    today; InvalidInput for a day still to come."""
    try:
        start = datetime.combine(day, time.min, zone).astimezone(UTC)
        end = datetime.combine(day + timedelta(days=1), time.min, zone).astimezone(UTC)
    except OverflowError:  # the calendar's first or last day
        raise InvalidInput({"date": {"zh": "日期超出范围。",
                                     "en": "The date is out of range: enter a real date."}}) from None
    if start > now:
        raise InvalidInput({"date": {"zh": "日期不能晚于今天。",
                                     "en": "The date must be today or in the past."}})
    return start, min(end - timedelta(microseconds=1), now)


def daily_report(session: Session, actor: User, registry: Registry, day: date, zone: ZoneInfo,
                 now: datetime, unit: object = None, anchor: bool = True) -> DailyReport:
    """The day's report over what the actor may see, within the chosen unit's subtree (default:
    the actor's unit, the root for admins): a row per child unit with its subtree's figures,
    the focus unit's own findings on its own row. `unit`: an id as given (services.scope.
    focus_unit: a field error for anything but a unit in the actor's scope). Without `anchor`
    the fingerprint is left to day_anchor (the page fetches it apart: it covers the whole
    record, seconds at a million findings, whatever the unit)."""
    require(actor, "dashboard")
    start, cutoff = day_bounds(day, zone, now)
    focus = _focus(session, actor, unit)
    scope = [answered_clause(session, actor, focus.id)]
    rows = _rows(session, focus)
    report = DailyReport(day, start, cutoff, focus, [(u, f) for u, f in rows.values()],
                         DayFigures())
    known = meanings(registry)
    quiet = _quiet_clause(start, day)
    for path, lifecycle, state, rectified, past_due, n in _quiet_counts(
            session, [*scope, quiet], day):
        row_id = _row_of(path, focus)
        if row_id in rows:
            _count_quiet(rows[row_id][1], known, lifecycle, state, bool(rectified),
                         bool(past_due), n)
    for finding, unit, events in _findings_with_events(session, [*scope, ~quiet], cutoff):
        row_id = _row_of(unit.path, focus)
        figures = rows[row_id][1] if row_id in rows else DayFigures()
        report.happenings.extend(_walk(finding, unit, events, known, (day, start), figures))
    for _unit, figures in report.rows:
        report.totals.add(figures)
    report.happenings.sort(key=lambda h: (HAPPENINGS.index(h.what), h.code))
    if anchor:
        report.anchor = anchor_at(session, cutoff, rows=True)
    return report


def day_anchor(session: Session, actor: User, at: str, now: datetime) -> Anchor:
    """The record's fingerprint at a report's cut-off `at` (ISO 8601 with its zone, as the
    report gives it), for those who see daily reports; a moment to come is refused."""
    require(actor, "dashboard")
    cutoff = parse_cutoff(at, "at")
    if cutoff > now:
        raise InvalidInput({"at": {"zh": "截止时间不能晚于现在。",
                                   "en": "The cut-off must not be in the future."}})
    return anchor_at(session, cutoff, rows=True)


def _focus(session: Session, actor: User, unit: object) -> Unit:
    focus = focus_unit(session, actor, unit)
    if focus is not None:
        return focus
    units = session.scalars(select(Unit).where(units_clause(actor))
                            .order_by(Unit.path).limit(1)).all()
    return units[0] if units else actor.unit


def _rows(session: Session, focus: Unit) -> dict[int, tuple[Unit, DayFigures]]:
    """The focus unit's own row, then one per child unit (by code), keyed by unit id."""
    children = session.scalars(select(Unit).where(Unit.parent_id == focus.id)
                               .order_by(Unit.code)).all()
    return {u.id: (u, DayFigures()) for u in [focus, *children]}


def _row_of(path: str, focus: Unit) -> int:
    """The row a finding of the unit at `path` counts in: the focus's child on the way down."""
    rest = path[len(focus.path):].strip("/")
    return int(rest.split("/", 1)[0]) if rest else focus.id


def _quiet_clause(start: datetime, day: date) -> ColumnElement[bool]:
    """A finding with no event since the day began (the facts' last moment, services.
    stats_facts), not due the day before: its row is what its events say at the cut-off, and
    nothing happened to it on the day (becoming overdue needs that due date). Never NULL."""
    return and_(Finding.state_since_us.is_not(None), Finding.state_since_us < micros(start),
                or_(Finding.due_date.is_(None), Finding.due_date != day - timedelta(days=1)))


def _quiet_counts(session: Session, where: Sequence[ColumnElement[bool]], day: date
                  ) -> Iterator[tuple[str, str, str, int, int, int]]:
    """How many findings matching `where` per unit path, lifecycle, state, whether reported
    rectified and whether past the due date on the day: one pass over the rows, no event read."""
    rectified = case((Finding.rectified_at.is_not(None), 1), else_=0).label("rectified")
    past_due = case((and_(Finding.due_date.is_not(None), Finding.due_date < day), 1),
                    else_=0).label("past_due")
    keys = (Unit.path, Finding.lifecycle, Finding.state)
    for row in session.execute(select(*keys, rectified, past_due, func.count())
                               .join(Unit, Unit.id == Finding.unit_id).where(*where)
                               .group_by(*keys, rectified, past_due)):
        yield row[0], row[1], row[2], row[3], row[4], row[5]


def _count_quiet(figures: DayFigures, known: Meanings, name: str, state: str, rectified: bool,
                 past_due: bool, n: int) -> None:
    """_running_totals for n quiet findings alike (their trace: the row's state, report, due)."""
    final = state in known.final[name]
    figures.raised_to_date += n
    figures.confirmed_to_date += n * (state in known.confirmed[name])
    figures.open_at_cutoff += n * (not final)
    figures.overdue_at_cutoff += n * (not final and not rectified and past_due)


def _findings_with_events(session: Session, scope: Sequence[ColumnElement[bool]], cutoff: datetime,
                          batch: int = 500) -> Iterator[tuple[Finding, Unit, list[Event]]]:
    """Each finding in scope, its unit and its events up to the cut-off, in keyset
    batches (the session forgets each batch once walked)."""
    last_id = 0
    while True:
        page = session.execute(select(Finding, Unit).join(Unit, Unit.id == Finding.unit_id)
                               .where(Finding.id > last_id, *scope)
                               .order_by(Finding.id).limit(batch)).all()
        if not page:
            return
        events: dict[int, list[Event]] = {f.id: [] for f, _p in page}
        for event in session.scalars(select(Event).where(Event.finding_id.in_(events),
                                                          Event.created_at <= cutoff)
                                     .order_by(Event.finding_id, Event.seq)):
            events[event.finding_id].append(event)
        for finding, unit in page:
            if events[finding.id]:
                yield finding, unit, events[finding.id]
        last_id = page[-1][0].id


@dataclass
class _Trace:
    """A finding as its events left it: state, due date, whether its rectification stands."""

    state: str | None = None
    due: date | None = None
    rectified: bool = False


def _walk(finding: Finding, unit: Unit, events: list[Event], known: Meanings,
          day_start: tuple[date, datetime], figures: DayFigures) -> list[Happening]:
    """Replay one finding's events up to the cut-off into the figures; what happened on the day."""
    (day, start), name, trace, at_start = day_start, finding.lifecycle, _Trace(), None
    found: list[Happening] = []

    def happened(what: str, at: datetime) -> None:
        setattr(figures, what, getattr(figures, what) + 1)
        found.append(Happening(finding.id, finding.code, finding.title, finding.unit_id,
                               (unit.name_zh, unit.name_en), what, at))

    for event in events:
        if at_start is None and event.created_at >= start:
            at_start = _Trace(trace.state, trace.due, trace.rectified)
        today = event.created_at >= start
        if today and event.seq == 1:
            happened("new", event.created_at)
        if event.trigger in known.rectifying[name]:
            trace.rectified = True
            if today:
                happened("rectified", event.created_at)
        if event.trigger in known.reworking[name]:
            trace.rectified = False
        if today and known.is_confirmation(name, event):
            happened("confirmed", event.created_at)
        if today and known.is_escalation(name, event):
            happened("escalated", event.created_at)
        trace.due, trace.state = due_date_after(event, trace.due), event.to_state
    at_start = trace if at_start is None else at_start
    if _is_overdue(at_start, known.final[name], day) and at_start.due == day - timedelta(days=1):
        happened("overdue", start)
    _running_totals(figures, trace, known, name, day)
    return found


def _is_overdue(trace: _Trace, final: set[str], today: date) -> bool:
    """Open, past its due date, not reported rectified (ledger.overdue_clause, replayed)."""
    return (trace.state is not None and trace.state not in final and not trace.rectified
            and trace.due is not None and trace.due < today)


def _running_totals(figures: DayFigures, trace: _Trace, known: Meanings, name: str,
                    day: date) -> None:
    figures.raised_to_date += 1
    figures.confirmed_to_date += trace.state in known.confirmed[name]
    figures.open_at_cutoff += trace.state not in known.final[name]
    figures.overdue_at_cutoff += _is_overdue(trace, known.final[name], day)
