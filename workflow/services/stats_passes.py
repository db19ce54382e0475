"""The passes over findings the statistics add up (services.stats_groups): rows grouped per key
(GROUPING SETS on PostgreSQL, a GROUP BY per key elsewhere), and the SQLite way of applying the
rules, per group of one key and state."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, case, func, select, tuple_
from sqlalchemy.orm import Session

from workflow.services.stats_kinds import StateFlags, Triple

Term = bool | ColumnElement[bool]  # what a rule gives for one class


@dataclass(frozen=True)
class Measure:
    """Counts the rows its rule gives for their class; with a value, sums it over the rows of
    the classes the rule keeps (then the rule gives True or False only)."""

    rule: Callable[[StateFlags], Term]
    value: Any = None


# Per key (a tuple of columns): key value(s) -> the measures' totals, in the keys' order (None
# last) as the database sorts them.
Totals = list[dict[Any, list[int]]]


def totals_by_state(session: Session, source: Any, cols: Any, keys: Sequence[tuple[Any, ...]],
                    measures: Sequence[Measure], where: Sequence[Any], classes: list[StateFlags],
                    flags_of: Callable[[Triple], StateFlags], weight: Any = None) -> Totals:
    """Each measure's total per value of each key, from one GROUP BY per key and state: the
    rules applied here per group (SQLite; services.stats_groups). weight: a column of how many
    findings each row stands for (the tallies' n), None: one each."""
    sums, steps = _plan(measures, classes, weight)
    state = (cols.lifecycle, cols.lifecycle_version, cols.state)
    # a key of the state's own columns (lifecycle; lifecycle and state) is added up from
    # another key's groups, which are by state too: no pass of its own
    places = [_places(group, state) for group in keys]
    within = [at is not None for at in places]
    passes = [group for group, inside in zip(keys, within, strict=True) if not inside]
    derived: list[dict[Any, list[int]]] = [{} for _group in keys]
    out: dict[int, dict[Any, list[int]]] = {}
    for p, group in enumerate(passes or [()]):
        totals: dict[Any, list[int]] = {}
        for row in grouped(session, source, [(*group, *state)], sums, where)[0]:
            n = len(group)
            triple = _triple(row[n:n + 3])
            counts = ints(row[n + 3:])
            targets = [totals.setdefault(tuple(row[:n]), [0] * len(measures))] if group else []
            if p == 0:
                targets += [derived[k].setdefault(tuple(triple[j] for j in at),
                                                  [0] * len(measures))
                            for k, at in enumerate(places) if at is not None]
            for i, at in steps[flags_of(triple)]:
                for had in targets:
                    had[i] += counts[at]
        out[id(group)] = totals
    # sorted as the database sorts them: SQLite compares text by its bytes, as Python does
    return [out[id(group)] if not inside else dict(sorted(derived[k].items()))
            for k, (group, inside) in enumerate(zip(keys, within, strict=True))]


def _plan(measures: Sequence[Measure], classes: list[StateFlags], weight: Any = None
          ) -> tuple[list[Any], dict[StateFlags, list[tuple[int, int]]]]:
    """The sums per group (a count, each distinct condition's count, each value's sum) and, per
    class, which of them adds to which measure."""
    conditions: list[ColumnElement[bool]] = []  # each condition (object) summed once
    amounts: list[Any] = []
    plans: dict[StateFlags, list[tuple[int, str, int]]] = {f: [] for f in classes}
    for i, measure in enumerate(measures):
        if measure.value is not None:
            amounts.append(measure.value)
        for flags in classes:
            term = measure.rule(flags)
            if measure.value is not None or term is True:
                if term is True:
                    plans[flags].append((i, "amount", len(amounts) - 1)
                                        if measure.value is not None else (i, "count", 0))
            elif not isinstance(term, bool):
                j = next((j for j, c in enumerate(conditions) if c is term), len(conditions))
                conditions[j:j + 1] = [term]
                plans[flags].append((i, "condition", j))
    offset = {"count": 0, "condition": 1, "amount": 1 + len(conditions)}
    sums = [func.count() if weight is None else func.sum(weight),
            *[func.sum(case((c, 1 if weight is None else weight), else_=0)) for c in conditions],
            *[func.sum(amount if weight is None else amount * weight) for amount in amounts]]
    return sums, {flags: [(i, offset[kind] + j) for i, kind, j in plan]
                  for flags, plan in plans.items()}


def _places(group: tuple[Any, ...], state: tuple[Any, ...]) -> list[int] | None:
    """Where each of the key's columns is among the state's, or None (one is not)."""
    at = [next((j for j, s in enumerate(state) if s is c), -1) for c in group]
    return None if -1 in at else at


def _triple(row: Sequence[Any]) -> Triple:
    return (row[0], row[1], row[2])


def grouped(session: Session, source: Any, keys: Sequence[tuple[Any, ...]],
            sums: Sequence[ColumnElement[Any]], where: Sequence[Any] = ()
            ) -> list[list[tuple[Any, ...]]]:
    """Per group of key columns, the rows (*key values, *sums) in the keys' order (None last):
    one GROUPING SETS pass on PostgreSQL, a GROUP BY per group elsewhere."""
    if len(keys) == 1 or session.get_bind().dialect.name != "postgresql":
        passes = []
        for group in keys:
            order = [term for c in group for term in (c.is_(None), c)]
            query = select(*group, *sums).select_from(source).where(*where).group_by(*group)
            passes.append([tuple(row) for row in session.execute(query.order_by(*order))])
        return passes
    flat = list({id(c): c for group in keys for c in group}.values())  # each column once
    at = {id(c): i for i, c in enumerate(flat)}
    # a row's set: the columns GROUPING() reports as grouped (0); the rest are null in it, so
    # ordering by every column in turn orders each set by its own columns
    order = [term for c in flat for term in (c.is_(None), c)]
    query = (select(*flat, *[func.grouping(c) for c in flat], *sums).select_from(source)
             .where(*where).group_by(func.grouping_sets(*[tuple_(*group) for group in keys]))
             .order_by(*order))
    sets = [frozenset(at[id(c)] for c in group) for group in keys]
    out: list[list[tuple[Any, ...]]] = [[] for _group in keys]
    n = len(flat)
    for row in session.execute(query):
        which = sets.index(frozenset(i for i in range(n) if row[n + i] == 0))
        out[which].append((*[row[at[id(c)]] for c in keys[which]], *row[2 * n:]))
    return out


def ints(values: Sequence[Any]) -> list[int]:
    """Sums as ints (a sum over no row, or over NULLs, is 0; PostgreSQL's numeric too)."""
    return [int(v or 0) for v in values]
