"""Totals over findings per value of a key, in one pass, with what a state means applied per
class of states instead of a list of states in every condition.

Every (lifecycle, version, state) has a class, what it means (services.stats_kinds.StateFlags);
a measure's rule says per class what it counts of a finding in it: every one (True), those
whose row meets a condition, or none (False). PostgreSQL joins each finding to its state's class
and sums per key (GROUPING SETS); SQLite, which would scan the list of states for every row,
groups by key and state with the conditions summed and applies the rules per group
(services.stats_passes)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy import (
    ColumnElement,
    Integer,
    String,
    and_,
    case,
    column,
    func,
    literal,
    text,
)
from sqlalchemy.orm import Session

from workflow.services.stats_kinds import Outcomes, StateFlags, state_flags
from workflow.services.stats_passes import Measure, Totals, grouped, ints, totals_by_state
from workflow.spec import Registry


class Tally(Protocol):
    """Measures wanted per value of some keys (tuples of columns): added up by Meanings.tally."""

    keys: list[tuple[Any, ...]]
    measures: list[Measure]


class Meanings:
    """The classes of the loaded definitions' states."""

    def __init__(self, registry: Registry, outcomes: Outcomes) -> None:
        self.flags = state_flags(outcomes)
        self.classes: list[StateFlags] = []
        self.rows = [(lc.name, lc.version, s.name, self._class(self.flags((lc.name, lc.version,
                                                                               s.name))))
                     for lc in registry.all() for s in lc.states]
        self.suggestions = outcomes.suggestions
        # a state no definition holds: counted by its lifecycle's kind alone (as stage_clause)
        self.unknown = [self._class(self.flags((name, -1, "")))
                        for name in ("", *self.suggestions[:1])]

    def _class(self, flags: StateFlags) -> int:
        if flags not in self.classes:
            self.classes.append(flags)
        return self.classes.index(flags)

    def tally(self, session: Session, source: Any, cols: Any, tallies: Sequence[Tally],
              where: Sequence[Any] = (), weight: Any = None) -> list[Totals]:
        """Several tallies over the same rows in one pass: per tally, its totals per key
        (weight: as in totals)."""
        keys: dict[tuple[int, ...], tuple[Any, ...]] = {}
        for wanted in tallies:
            keys.update({tuple(id(c) for c in key): key for key in wanted.keys})
        measures = [measure for wanted in tallies for measure in wanted.measures]
        totals = dict(zip(keys, self.totals(session, source, cols, list(keys.values()), measures,
                                            where, weight), strict=True))
        out, at = [], 0
        for wanted in tallies:
            end = at + len(wanted.measures)
            out.append([{value: counts[at:end]
                         for value, counts in totals[tuple(id(c) for c in key)].items()}
                        for key in wanted.keys])
            at = end
        return out

    def totals(self, session: Session, source: Any, cols: Any, keys: Sequence[tuple[Any, ...]],
               measures: Sequence[Measure], where: Sequence[Any] = (),
               weight: Any = None) -> Totals:
        """Each measure's total per value of each key over source's rows matching where; weight:
        a column of how many findings each row stands for (the tallies' n), None: one each."""
        if session.get_bind().dialect.name == "postgresql":
            return self._joined(session, source, cols, keys, measures, where, weight)
        return totals_by_state(session, source, cols, keys, measures, where, self.classes,
                               self.flags, weight)

    def _joined(self, session: Session, source: Any, cols: Any,
                keys: Sequence[tuple[Any, ...]], measures: Sequence[Measure],
                where: Sequence[Any], weight: Any) -> Totals:
        table = self._table()
        m = table.c
        kind = case((cols.lifecycle.in_(self.suggestions), self.unknown[-1]),
                    else_=self.unknown[0]) if self.suggestions else literal(self.unknown[0])
        cls = func.coalesce(m.cls, kind)
        joined = source.outerjoin(table, and_(m.lifecycle == cols.lifecycle,
                                              m.version == cols.lifecycle_version,
                                              m.state == cols.state))
        sums = [self._sum(cls, measure, weight) for measure in measures]
        out: Totals = []
        for rows in grouped(session, joined, keys, sums, where):
            out.append({tuple(row[:-len(sums)]): ints(row[-len(sums):]) for row in rows})
        return out

    def _table(self) -> Any:
        """The states and their classes as a VALUES list written into the SQL as text, so that
        the statement is compiled once and cached (not a bound parameter per value)."""
        rows = ", ".join(f"({_quoted(lc)}, {int(version)}, {_quoted(state)}, {int(k)})"
                         for lc, version, state, k in self.rows)
        return text(f"SELECT * FROM (VALUES {rows}) AS v (lifecycle, version, state, cls)").columns(
            column("lifecycle", String), column("version", Integer), column("state", String),
            column("cls", Integer)).cte("meanings")

    def _sum(self, cls: ColumnElement[int], measure: Measure, weight: Any) -> ColumnElement[Any]:
        terms = [measure.rule(flags) for flags in self.classes]
        one = 1 if weight is None else weight  # what a row adds to a count
        if measure.value is not None:
            kept = [k for k, term in enumerate(terms) if term is True]
            value = measure.value if weight is None else measure.value * weight
            return func.sum(case((cls.in_(kept), value), else_=0))
        conditions = [term for term in terms if not isinstance(term, bool)]
        if len(conditions) == len(terms) and all(c is conditions[0] for c in conditions):
            return func.sum(case((conditions[0], one), else_=0))  # the same for every class
        always = [k for k, term in enumerate(terms) if term is True]
        whens: list[tuple[Any, Any]] = [(cls.in_(always), one)] if always else []
        whens += [(and_(cls == k, term), one) for k, term in enumerate(terms)
                  if not isinstance(term, bool)]
        return func.sum(case(*whens, else_=0)) if whens else func.sum(literal(0))

def _quoted(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"

