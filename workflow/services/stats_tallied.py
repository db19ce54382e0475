"""The statistics' counts read from the tallies (services.tallies) instead of the findings, for a
scope narrowed by its unit alone, live, on the tallies' day: the same rules (stats_figures,
stats_board) run on the tally rows, each row weighted by the findings it stands for.

The rows of a focus unit: per child, the child's subtree ('unit' rows, the child's id as unit_id),
and the focus's own findings (its id); the breakdowns by campaign, category and inspector from
the focus's rows of that dim. A tally row's columns are the findings' as tally_sql.canonical
reduces them, so each rule reads what it reads on a finding."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Subquery, column, func, literal, select, text, union_all
from sqlalchemy.orm import Session

from workflow.models import FindingTally, Unit, User
from workflow.services.scope import sees_everything
from workflow.services.stats_args import StatsQuery
from workflow.services.stats_groups import Meanings, Tally
from workflow.services.stats_passes import Measure, Totals
from workflow.services.tallies import tallies_ready
from workflow.tally_sql import DIMS, pending

# which tally rows count for a key, by the key's columns (stats_report.BREAKDOWNS, the board's)
PARTS = {"unit_id": "unit", "lifecycle": "unit", "state": "unit", "campaign_id": "campaign",
         "category": "category", "raised_by_id": "raised_by"}
_READ = ("campaign_id", "category", "raised_by_id", "lifecycle", "lifecycle_version", "state",
         "is_open", "rework_rounds", "overdue_level", "due_date", "rectified_on", "review_due_date",
         "acknowledge_due_date", "rectified_at", "acknowledged_at", "recurrence_of_id", "n")


@dataclass(frozen=True)
class TalliedScope:
    """The unit the counts are split below (the roll-up's focus) and its tally rows."""

    focus: Unit
    source: Subquery


def served(query: StatsQuery) -> bool:
    """Whether the tallies hold what the query counts: live, narrowed by unit alone."""
    return query.as_of is None and all(value is None for value in (
        query.campaign_id, query.category, query.raised_by, query.lifecycle, query.start,
        query.end))


def tallied_scope(session: Session, actor: User, focus: Unit | None, today: date,
                  cutoff: date | None, zone: ZoneInfo | None = None) -> TalliedScope | None:
    """The tally rows of the actor's findings within focus (in the actor's scope; None: the whole
    scope, descending as stats.roll_up does while every finding lies below one child), or None
    when the tallies do not count for today (and the yellow-light cutoff and the zone of the
    local days, if given) or the scope is not one subtree."""
    if not tallies_ready(session, today, cutoff, zone):
        return None
    rows = _tally_rows(session.get_bind().dialect.name)
    if focus is None:
        if not sees_everything(actor):
            top = actor.unit
        else:
            roots = session.scalars(select(Unit).where(Unit.parent_id.is_(None)).limit(2)).all()
            if len(roots) != 1:
                return None
            top = roots[0]
        focus = _descended(session, rows, top)
    return TalliedScope(focus, _rows(rows, focus.id, _children(session, focus.id)))


def _children(session: Session, unit_id: int) -> list[int]:
    """The ids of the unit's children, as literals (an IN list is pushed into each branch of
    the tallies' UNION ALL, and seeks their index; a subquery is not)."""
    return list(session.scalars(select(Unit.id).where(Unit.parent_id == unit_id)))


def _tally_rows(dialect: str) -> Subquery:
    """The tallies and the triggers' log not yet moved in, expanded the same way."""
    t = FindingTally.__table__
    names = ["node", "dim", "own", *_READ]
    logged = text(pending(dialect)).columns(*[column(name, t.c[name].type) for name in names])
    return union_all(select(*[t.c[name] for name in names]),
                     select(*logged.subquery("logged").c)).subquery("tally_rows")


def _descended(session: Session, rows: Subquery, top: Unit) -> Unit:
    """top, or the one child below which all its findings lie (and so on down)."""
    while True:
        below = _below(rows, top.id, _children(session, top.id))
        counted = {node for node, n in session.execute(
            select(below.c.unit_id, func.sum(below.c.n)).group_by(below.c.unit_id)) if n}
        if len(counted) != 1 or top.id in counted:
            return top
        top = session.get_one(Unit, counted.pop())


def _below(rows: Subquery, focus_id: int, children: list[int]) -> Subquery:
    """The 'unit' rows of each child's subtree and of the focus's own findings, the unit they
    count for as unit_id."""
    return union_all(*_unit_branches(rows, focus_id, children)).subquery("below")


def _unit_branches(rows: Subquery, focus_id: int, children: list[int]) -> list[Any]:
    t = rows.c
    read = [t[name] for name in _READ]
    return [select(t.node.label("unit_id"), literal("unit").label("part"), *read)
            .where(t.dim == "unit", t.node.in_(children)),
            select(t.node.label("unit_id"), literal("unit").label("part"), *read)
            .where(t.node == focus_id, t.dim == "unit", t.own)]


def _rows(rows: Subquery, focus_id: int, children: list[int]) -> Subquery:
    """Each part's rows by its own index seek (a UNION ALL: the part a pass wants is pushed into
    each branch, and the branches of other parts fall away)."""
    t = rows.c
    read = [t[name] for name in _READ]
    branches = [
        *_unit_branches(rows, focus_id, children),
        *[select(t.node.label("unit_id"), literal(dim).label("part"), *read)
          .where(t.node == focus_id, t.dim == dim) for dim in DIMS[1:]],
    ]
    return union_all(*branches).subquery("tallied_findings")


def tally_totals(session: Session, meanings: Meanings, scope: TalliedScope,
                 tallies: Sequence[Tally]) -> list[Totals]:
    """Meanings.tally's answer, from the tally rows: per tally, its totals per key; values no
    finding has (their rows summing to none) left out, as the findings would."""
    c = scope.source.c
    present = Measure(lambda _flags: True)
    measures = [measure for wanted in tallies for measure in wanted.measures] + [present]
    keys = {_id(key): key for wanted in tallies for key in wanted.keys}  # each set of columns once
    by_part: dict[str, list[tuple[Any, ...]]] = {}
    for key in keys.values():
        parts = {PARTS[column.name] for column in key}
        if len(parts) != 1:
            raise ValueError(f"no tally rows count for the key {[c.name for c in key]}")
        by_part.setdefault(parts.pop(), []).append(key)
    totals: dict[tuple[int, ...], dict[Any, list[int]]] = {}
    if session.get_bind().dialect.name == "postgresql":  # one GROUPING SETS pass, the part a key
        parted = [(part, key) for part, wanted_keys in by_part.items() for key in wanted_keys]
        counted = meanings.totals(session, scope.source, c, [(c.part, *key) for _p, key in parted],
                                  measures, [], c.n)
        for (part, key), per_value in zip(parted, counted, strict=True):
            totals[_id(key)] = {value[1:]: counts for value, counts in per_value.items()
                                if value[0] == part and counts[-1]}
    else:  # a pass per part, each seeking its rows by the index
        for part, wanted_keys in by_part.items():
            counted = meanings.totals(session, scope.source, c, wanted_keys, measures,
                                      [c.part == part], c.n)
            for key, per_value in zip(wanted_keys, counted, strict=True):
                totals[_id(key)] = {value: counts for value, counts in per_value.items()
                                    if counts[-1]}
    out, at = [], 0
    for wanted in tallies:
        end = at + len(wanted.measures)
        out.append([{value: counts[at:end] for value, counts in totals[_id(key)].items()}
                    for key in wanted.keys])
        at = end
    return out


def _id(key: tuple[Any, ...]) -> tuple[int, ...]:
    return tuple(id(column) for column in key)
