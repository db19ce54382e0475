"""Findings as of a past moment, rebuilt from their hash-chained events (never from a snapshot).

`findings_as_of(registry, moment)` is a subquery with one row per finding whose first event
is at or before `moment`, its columns named like Finding's, so that a clause written against
`Finding` can be written against `sub.c` instead (ledger filters, statistics):

- id, last_seq: the finding, and the seq of its last event at or before the moment;
- state: that event's to_state;
- lifecycle_version: the to_version of the last `migrate` event by then, else the from_version
  of the first `migrate` event (after the moment), else the row's;
- is_open: the state is not final in that lifecycle version (the definitions' final states);
- unit_id: the unit named in the payload of the last event by then whose transition carries the
  `reassign_unit` effect (payload[field].id, the field its params name), else the unit recorded
  by the raise event (payload unit.id), else the row's unit (recurrences raised before their
  raise event recorded the unit);
- due_date: the new date of the last `due_date_change: [old, new]` by then (fire() and raising
  write it), else the due date given when raising (raise payload due_date), else none;
- rework_rounds: how many events by then carry the `count_rework` effect;
- rectified_at: the time of the last event by then carrying `record_rectified_at`, unless a
  `count_rework` event came after it (it clears the report); rectified_on: its local date;
- closed_at: when not open, the time of the last event by then that entered a final state.

Transitions are matched by (lifecycle name, trigger) over every version of the lifecycle, by
the trigger alone where it means the same in every lifecycle; final states likewise by name.
Everything else is taken from the row, being fixed at raising: code, title, description,
category, severity, lifecycle, campaign, inspection, raised_by, raised_by_unit, created_at.
Not rebuilt (read from the row if needed): pending_due_date, acknowledged_at and the other
clock dates, overdue_level, parties, requirement.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Date,
    Integer,
    String,
    Subquery,
    and_,
    case,
    false,
    func,
    inspect,
    literal,
    or_,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.expression import ColumnElement, FunctionElement
from sqlalchemy.sql.util import find_tables

from workflow.models import Event, Finding, Unit
from workflow.spec import Registry


class iso_date(FunctionElement[Any]):  # noqa: N801 - a SQL function's name
    """An ISO date text (from JSON) as a DATE: CAST on PostgreSQL, the text itself on SQLite
    (which stores dates as that very text; its CAST AS DATE would yield a number)."""

    type = Date()
    inherit_cache = True
    name = "iso_date"


class local_day(FunctionElement[Any]):  # noqa: N801 - a SQL function's name
    """local_day(moment, zone name, SQLite offset modifier): the date a UTC timestamp falls on in
    the zone. PostgreSQL converts by the zone's name (exact); SQLite, which knows no zones, adds
    the zone's offset at the moment asked about (exact for zones without summer time, such as
    Asia/Shanghai)."""

    type = Date()
    inherit_cache = True
    name = "local_day"


@compiles(local_day)
def _local_day_default(element: local_day, compiler: Any, **kw: Any) -> str:
    moment, zone, _offset = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(timezone({zone}, {moment}) AS DATE)"


@compiles(local_day, "sqlite")
def _local_day_sqlite(element: local_day, compiler: Any, **kw: Any) -> str:
    moment, _zone, offset = (compiler.process(c, **kw) for c in element.clauses)
    return f"date({moment}, {offset})"


def _local_day(moment: Any, zone: tzinfo, at: datetime) -> local_day:
    offset = zone.utcoffset(at) or timedelta(0)
    return local_day(moment, literal(getattr(zone, "key", "UTC"), String()),
                     literal(f"{int(offset.total_seconds() // 60):+d} minutes", String()))


@compiles(iso_date)
def _iso_date_default(element: iso_date, compiler: Any, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS DATE)"


@compiles(iso_date, "sqlite")
def _iso_date_sqlite(element: iso_date, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.clauses, **kw))


def _triggers_with(registry: Registry, effect: str) -> dict[tuple[str, str], str]:
    """(lifecycle name, trigger) -> the effect's `field` param ("" if none), any version."""
    return {(lc.name, t.trigger): str(rule.params.get("field", ""))
            for lc in registry.all() for t in lc.transitions for rule in t.effects
            if rule.name == effect}


def _carries(registry: Registry, pairs: dict[tuple[str, str], str]) -> ColumnElement[bool]:
    """The event is one of these transitions: by its trigger alone where every transition of
    that name carries it (no lifecycle to look up), else with its finding's lifecycle (the
    findings table must then be joined in)."""
    everywhere = {trigger for _name, trigger in pairs} - _elsewhere(registry, pairs)
    clauses: list[ColumnElement[bool]] = []
    if everywhere:
        clauses.append(Event.trigger.in_(sorted(everywhere)))
    clauses += [and_(Finding.lifecycle == name, Event.trigger == trigger)
                for name, trigger in pairs if trigger not in everywhere]
    return or_(*clauses) if clauses else false()


def _elsewhere(registry: Registry, pairs: dict[tuple[str, str], str]) -> set[str]:
    """Triggers of these pairs that some lifecycle names without the pair's effect."""
    return {t.trigger for lc in registry.all() for t in lc.transitions
            if (lc.name, t.trigger) not in pairs}


@lru_cache(maxsize=8)
def _uniform_finals(registry: Registry) -> frozenset[str] | None:
    """The final state names, if each is final in every lifecycle version that has it (then a
    state's name alone says whether it is final); None if not."""
    finals = {s.name for lc in registry.all() for s in lc.states if s.final}
    elsewhere = {s.name for lc in registry.all() for s in lc.states if not s.final}
    return None if finals & elsewhere else frozenset(finals)


def final_clause(registry: Registry, name: Any, version: Any, state: Any) -> ColumnElement[bool]:
    """The state is final in that lifecycle version (never NULL for non-NULL columns)."""
    uniform = _uniform_finals(registry)
    if uniform is not None:
        return state.in_(sorted(uniform)) if uniform else false()
    clauses = [and_(name == lc.name, version == lc.version, state.in_(lc.final_states()))
               for lc in registry.all() if lc.final_states()]
    return or_(*clauses) if clauses else false()


def _entered_final(registry: Registry) -> ColumnElement[bool]:
    """The event moved the finding into a final state: by the state's name alone where that
    says it (_uniform_finals), else in the finding's current lifecycle version."""
    def final(state: Any) -> ColumnElement[bool]:
        return final_clause(registry, Finding.lifecycle, Finding.lifecycle_version, state)

    return and_(final(Event.to_state), or_(Event.from_state.is_(None), ~final(Event.from_state)))


def _has_due_change() -> ColumnElement[bool]:
    change = Event.payload["due_date_change"]
    return func.coalesce(change[0].as_string(), change[1].as_string()).is_not(None)


def _latest(registry: Registry, moment: datetime) -> Subquery:
    """Per finding, over its events at or before the moment: the seqs and sums findings_as_of
    reads (an event's time grows with its seq). The findings table is joined in only when a
    condition needs the finding's lifecycle (_carries)."""
    moved, rework, report, closing, by_lifecycle = _conditions(registry)

    def last_seq_where(cond: ColumnElement[bool]) -> Any:
        return func.max(case((cond, Event.seq)))

    query = select(
        Event.finding_id.label("finding_id"),
        func.max(Event.seq).label("last_seq"),
        last_seq_where(moved).label("unit_seq"),
        last_seq_where(_has_due_change()).label("due_seq"),
        last_seq_where(Event.trigger == "migrate").label("migrate_seq"),
        func.sum(case((rework, 1), else_=0)).label("rework_rounds"),
        last_seq_where(rework).label("rework_seq"),
        last_seq_where(report).label("rectified_seq"),
        func.max(case((report, Event.created_at))).label("rectified_at"),
        func.max(case((closing, Event.created_at))).label("closed_at"),
    ).where(Event.created_at <= moment).group_by(Event.finding_id)
    if by_lifecycle:
        query = query.join(Finding, Finding.id == Event.finding_id)
    return query.subquery("latest")


@lru_cache(maxsize=8)
def _conditions(registry: Registry) -> tuple[ColumnElement[bool], ColumnElement[bool],
                                             ColumnElement[bool], ColumnElement[bool], bool]:
    """The events that reassign, count a rework, report rectified, close; and whether any of
    these reads the finding's lifecycle (once per registry: SQL expressions are immutable)."""
    moved, rework, report = (_carries(registry, _triggers_with(registry, effect)) for effect in
                             ("reassign_unit", "count_rework", "record_rectified_at"))
    closing = _entered_final(registry)
    by_lifecycle = any(Finding.__table__ in find_tables(c, check_columns=True)
                       for c in (moved, rework, report, closing))
    return moved, rework, report, closing, by_lifecycle


def _first_migration() -> Subquery:
    """Per migrated finding, the seq of its first `migrate` event (the version it was raised on
    is that event's from_version)."""
    return (select(Event.finding_id.label("finding_id"), func.min(Event.seq).label("seq"))
            .where(Event.trigger == "migrate").group_by(Event.finding_id).subquery("first_mig"))


def _unit_from(registry: Registry, event: Any) -> Any:
    """The reassigned unit's id from a reassigning event's payload (its field per trigger)."""
    fields = _triggers_with(registry, "reassign_unit")
    whens = [(and_(Finding.lifecycle == name, event.trigger == trigger),
              event.payload[(field, "id")].as_integer())
             for (name, trigger), field in fields.items() if field]
    return case(*whens, else_=None) if whens else None


def findings_as_of(registry: Registry, moment: datetime, zone: tzinfo = UTC) -> Subquery:
    """One row per finding raised by `moment` (see the module's docstring for each column);
    rectified_on is the report's date in `zone` (the organisation's: UnitOfWork.zone)."""
    latest = _latest(registry, moment)
    last, raised, moved, due, migrated, first_moved = (
        aliased(Event, name=n) for n in ("ev_last", "ev_raise", "ev_unit", "ev_due", "ev_mig",
                                          "ev_mig_first"))
    version = func.coalesce(migrated.payload["to_version"].as_integer(),
                            first_moved.payload["from_version"].as_integer(),
                            Finding.lifecycle_version)
    first = _first_migration()
    state = last.to_state
    is_open = ~final_clause(registry, Finding.lifecycle, version, state)
    reassigned = _unit_from(registry, moved)
    raised_unit = raised.payload[("unit", "id")].as_integer()
    unit_id = func.coalesce(*([reassigned] if reassigned is not None else []), raised_unit,
                            Finding.unit_id)
    due_date = case((latest.c.due_seq.is_not(None),
                     iso_date(due.payload[("due_date_change", 1)].as_string())),
                    else_=iso_date(raised.payload["due_date"].as_string()))
    rectified = latest.c.rectified_seq > func.coalesce(latest.c.rework_seq, 0)

    def at(alias: Any, seq: Any) -> ColumnElement[bool]:
        return and_(alias.finding_id == latest.c.finding_id, alias.seq == seq)

    query = (
        select(
            Finding.id.label("id"),
            state.cast(String(64)).label("state"),
            is_open.label("is_open"),
            unit_id.cast(Integer).label("unit_id"),
            due_date.label("due_date"),
            func.coalesce(latest.c.rework_rounds, 0).label("rework_rounds"),
            case((rectified, latest.c.rectified_at), else_=None).label("rectified_at"),
            case((rectified, _local_day(latest.c.rectified_at, zone, moment)), else_=None)
            .label("rectified_on"),
            case((is_open, None), else_=latest.c.closed_at).label("closed_at"),
            latest.c.last_seq.label("last_seq"),
            Finding.lifecycle.label("lifecycle"),
            version.label("lifecycle_version"),
        )
        .select_from(latest)
        .join(Finding, Finding.id == latest.c.finding_id)
        .join(last, at(last, latest.c.last_seq))
        .join(raised, at(raised, 1))
        .outerjoin(moved, at(moved, latest.c.unit_seq))
        .outerjoin(due, at(due, latest.c.due_seq))
        .outerjoin(migrated, at(migrated, latest.c.migrate_seq))
        .outerjoin(first, first.c.finding_id == latest.c.finding_id)
        .outerjoin(first_moved, at(first_moved, first.c.seq))
    )
    return query.subquery("as_of")


REBUILT = ("state", "is_open", "unit_id", "due_date", "rework_rounds", "rectified_at",
           "rectified_on", "closed_at", "last_seq", "lifecycle_version")
NOT_REBUILT = {"pending_due_date": None, "acknowledged_at": None, "acknowledge_due_date": None,
               "review_due_date": None, "overdue_level": 0}


def as_it_was(session: Session, finding: Finding, past: Mapping[Any, Any]) -> Finding:
    """An unsaved copy of the finding with the columns findings_as_of rebuilt (a row of it:
    `past`), the clocks it does not rebuild cleared, and its unit as of then; never added to
    the session, so nothing of it is ever written."""
    values = {attr.key: getattr(finding, attr.key) for attr in inspect(Finding).column_attrs}
    values.update({name: past[name] for name in REBUILT}, **NOT_REBUILT)
    copy = Finding(**values)
    copy.unit = session.get(Unit, copy.unit_id)  # type: ignore[assignment]
    for name in ("raised_by_unit", "raised_by", "campaign", "inspection"):
        setattr(copy, name, getattr(finding, name))
    return copy
