"""Problems and suggestions told apart by their states' outcomes; each counted figure as a clause."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, false, or_, true, tuple_

from workflow.spec import Registry

Triple = tuple[str, int, str]  # (lifecycle, version, state)
KINDS = ("problem", "suggestion")
# The counted figures, each the ledger's `stage` filter (what a dashboard number links to).
PROBLEM_STAGES = ("raised", "rectified", "confirmed", "on_time", "first_pass", "reworked",
                  "recurring")
SUGGESTION_STAGES = ("proposed", "adopted", "implemented", "declined")
STAGES = PROBLEM_STAGES + SUGGESTION_STAGES


@dataclass(frozen=True)
class Outcomes:
    """The states of every loaded version by what they mean for statistics.

    A lifecycle is a suggestion lifecycle when any of its versions has an "implemented" outcome;
    in it, an older version's "confirmed" state counts as implemented (suggestion@1)."""

    suggestions: tuple[str, ...]
    confirmed: tuple[Triple, ...]
    implemented: tuple[Triple, ...]
    declined: tuple[Triple, ...]
    excluded: tuple[Triple, ...]
    proposed: tuple[Triple, ...]  # a suggestion lifecycle's initial states


def outcomes_of(registry: Registry) -> Outcomes:
    suggestions = sorted({lc.name for lc in registry.all()
                          if any(s.outcome == "implemented" for s in lc.states)})
    found: dict[str, list[Triple]] = {k: [] for k in ("confirmed", "implemented", "declined",
                                                      "excluded", "proposed")}
    for lc in registry.all():
        for state in lc.states:
            triple = (lc.name, lc.version, state.name)
            outcome = state.outcome
            if outcome == "confirmed" and lc.name in suggestions:
                outcome = "implemented"
            if outcome:
                found[outcome].append(triple)
            if lc.name in suggestions and state.name == lc.initial:
                found["proposed"].append(triple)
    return Outcomes(tuple(suggestions), **{k: tuple(v) for k, v in found.items()})


@dataclass(frozen=True)
class StateFlags:
    """What findings in one (lifecycle, version, state) are for the counted figures: stage_clause
    and kind_clause, read for one state (services.stats_groups adds groups up by them)."""

    suggestion: bool  # of a suggestion lifecycle (else a problem)
    excluded: bool
    confirmed: bool
    implemented: bool
    declined: bool
    adopted: bool  # a suggestion past its proposal, neither declined nor excluded


def state_flags(outcomes: Outcomes) -> Callable[[Triple], StateFlags]:
    """The flags of a state, memoised for this call's outcomes."""
    sets = {name: frozenset(getattr(outcomes, name))
            for name in ("excluded", "confirmed", "implemented", "declined", "proposed")}
    suggestions = frozenset(outcomes.suggestions)
    known: dict[Triple, StateFlags] = {}

    def flags(triple: Triple) -> StateFlags:
        if triple not in known:
            excluded, declined = triple in sets["excluded"], triple in sets["declined"]
            known[triple] = StateFlags(
                triple[0] in suggestions, excluded, triple in sets["confirmed"],
                triple in sets["implemented"], declined,
                not (triple in sets["proposed"] or declined or excluded))
        return known[triple]
    return flags


def in_states(cols: Any, triples: tuple[Triple, ...]) -> ColumnElement[bool]:
    """The finding (Finding, or a subquery's columns) is in one of these (lifecycle, version,
    state)s."""
    if not triples:
        return false()
    # one row-value IN with the triples written into the SQL (literal_execute): no bound
    # parameter per value, which psycopg would split out of the long statement on every call
    return tuple_(cols.lifecycle, cols.lifecycle_version, cols.state).in_(
        bindparam(None, list(triples), expanding=True, literal_execute=True))


def kind_clause(kind: str, outcomes: Outcomes, cols: Any) -> ColumnElement[bool]:
    if not outcomes.suggestions:
        return true() if kind == "problem" else false()
    is_suggestion: ColumnElement[bool] = cols.lifecycle.in_(outcomes.suggestions)
    return is_suggestion if kind == "suggestion" else ~is_suggestion


def overdue_of(cols: Any, today: date) -> ColumnElement[bool]:
    """services.ledger.overdue_clause, on any finding columns."""
    return and_(cols.is_open.is_(True), cols.due_date.is_not(None), cols.due_date < today,
                cols.rectified_at.is_(None))


def stage_clause(stage: str, outcomes: Outcomes, cols: Any,
                 rectified_on: Any = None) -> ColumnElement[bool]:
    """The findings one counted figure counts (its kind included); rectified_on: the local date
    of the rectification report (Finding.rectified_on), for on_time."""
    if stage in SUGGESTION_STAGES:
        return and_(kind_clause("suggestion", outcomes, cols), _suggestion(stage, outcomes, cols))
    counted = and_(kind_clause("problem", outcomes, cols), ~in_states(cols, outcomes.excluded))
    confirmed = in_states(cols, outcomes.confirmed)
    if stage == "raised":
        return counted
    if stage == "rectified":
        return and_(counted, or_(cols.rectified_at.is_not(None), confirmed))
    if stage == "confirmed":
        return and_(counted, confirmed)
    if stage == "on_time":
        on = cols.rectified_on if rectified_on is None else rectified_on
        return and_(counted, cols.due_date.is_not(None), on.is_not(None), on <= cols.due_date)
    if stage == "first_pass":
        return and_(counted, confirmed, cols.rework_rounds == 0)
    if stage == "reworked":
        return and_(counted, cols.rework_rounds > 0)
    if stage == "recurring":
        return and_(counted, cols.recurrence_of_id.is_not(None))
    raise ValueError(stage)


def _suggestion(stage: str, outcomes: Outcomes, cols: Any) -> ColumnElement[bool]:
    if stage == "proposed":
        return ~in_states(cols, outcomes.excluded)
    if stage == "implemented":
        return in_states(cols, outcomes.implemented)
    if stage == "declined":
        return in_states(cols, outcomes.declined)
    # adopted: past the proposal and neither declined nor set aside (implemented included)
    return ~in_states(cols, outcomes.proposed + outcomes.declined + outcomes.excluded)
