"""The counted figures of problems and suggestions, per unit, over one findings source."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from sqlalchemy import Subquery, and_, case, func, select
from sqlalchemy.orm import Session

from workflow.services.counts import Summable
from workflow.services.stats_kinds import Outcomes, overdue_of, stage_clause


@dataclass
class Figures(Summable):
    """Counts over findings raised in the period, as they stand (now, or as of the moment)."""

    raised: int = 0  # problems, withdrawn and waived ones not counted
    open: int = 0
    rectified: int = 0  # reported rectified (or confirmed)
    confirmed: int = 0  # 销号
    overdue: int = 0  # open, past the due date, not reported rectified
    due: int = 0  # whose due date came: reported with a due date, or overdue
    on_time: int = 0  # reported rectified by the due date
    first_pass: int = 0  # confirmed without any rework round
    reworked: int = 0  # sent back at least once
    rework_rounds: int = 0
    recurring: int = 0  # a recurrence of an earlier finding (recurrence_of)
    proposed: int = 0  # suggestions, withdrawn ones not counted
    adopted: int = 0  # past the proposal, not declined (implemented included)
    implemented: int = 0
    declined: int = 0

    @property
    def rectification_rate(self) -> float | None:
        return _rate(self.confirmed, self.raised)

    @property
    def on_time_rate(self) -> float | None:
        return _rate(self.on_time, self.due)

    @property
    def first_pass_rate(self) -> float | None:
        return _rate(self.first_pass, self.confirmed)

    @property
    def adoption_rate(self) -> float | None:
        return _rate(self.adopted, self.proposed)


    def as_dict(self) -> dict[str, Any]:
        return {**{item.name: getattr(self, item.name) for item in fields(self)},
                **{name: getattr(self, name) for name in RATES}}


RATES = ("rectification_rate", "on_time_rate", "first_pass_rate", "adoption_rate")
COUNTED = tuple(item.name for item in fields(Figures))


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def figures_by(session: Session, source: Subquery, key: str, outcomes: Outcomes,
               today: date) -> dict[Any, Figures]:
    """Figures per value of one of the source's columns (unit_id, category, ...)."""
    return figures_by_keys(session, source, (key,), outcomes, today)[key]


def figures_by_keys(session: Session, source: Subquery, keys: tuple[str, ...],
                    outcomes: Outcomes, today: date) -> dict[str, dict[Any, Figures]]:
    """figures_by for each key: one GROUPING SETS pass on PostgreSQL, a GROUP BY per key
    elsewhere."""
    c = source.c
    raised = stage_clause("raised", outcomes, c)
    overdue = and_(raised, overdue_of(c, today))
    dated = and_(raised, c.due_date.is_not(None), c.rectified_on.is_not(None))
    conditions = {
        "raised": raised, "open": and_(raised, c.is_open.is_(True)),
        "rectified": stage_clause("rectified", outcomes, c),
        "confirmed": stage_clause("confirmed", outcomes, c), "overdue": overdue,
        "on_time": stage_clause("on_time", outcomes, c),
        **{stage: stage_clause(stage, outcomes, c)
           for stage in ("first_pass", "reworked", "recurring", "proposed", "adopted",
                         "implemented", "declined")},
    }
    columns = [func.sum(case((cond, 1), else_=0)).label(name) for name, cond in conditions.items()]
    columns += [func.sum(case((dated, 1), else_=0)).label("dated"),
                func.sum(case((raised, c.rework_rounds), else_=0)).label("rework_rounds")]

    def figures(row: Any) -> Figures:
        counts = {name: int(getattr(row, name) or 0) for name in conditions}
        return Figures(**counts, due=int(row.dated or 0) + counts["overdue"],
                       rework_rounds=int(row.rework_rounds or 0))

    out: dict[str, dict[Any, Figures]] = {key: {} for key in keys}
    # in the key's order (none last) on every backend: PostgreSQL's GROUP BY has no order of its own
    if len(keys) == 1 or session.get_bind().dialect.name != "postgresql":
        for key in keys:
            ordered = select(c[key], *columns).group_by(c[key]).order_by(c[key].is_(None), c[key])
            out[key] = {row[0]: figures(row) for row in session.execute(ordered)}
        return out
    # each row belongs to the set whose key GROUPING() reports as grouped (0); the other keys
    # are null in it, so ordering by every key in turn orders each set by its own key
    order = [term for key in keys for term in (c[key].is_(None), c[key])]
    sets = select(*[c[key] for key in keys], *[func.grouping(c[key]) for key in keys], *columns
                  ).group_by(func.grouping_sets(*[c[key] for key in keys])).order_by(*order)
    for row in session.execute(sets):
        key = keys[list(row[len(keys):2 * len(keys)]).index(0)]
        out[key][row[keys.index(key)]] = figures(row)
    return out


# The ledger's arguments selecting exactly the findings a counted figure counts (with the
# statistics' own filters, StatsQuery.ledger_args); due and rework_rounds are not finding counts.
FIGURE_LINKS: dict[str, dict[str, str]] = {
    "open": {"stage": "raised", "open": "true"},
    "overdue": {"stage": "raised", "overdue": "true"},
    **{name: {"stage": name} for name in ("raised", "rectified", "confirmed", "on_time",
                                          "first_pass", "reworked", "recurring", "proposed",
                                          "adopted", "implemented", "declined")},
}
