"""The counted figures of problems and suggestions, per unit, over one findings source."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from sqlalchemy import Subquery, and_
from sqlalchemy.orm import Session

from workflow.services.counts import Summable
from workflow.services.stats_groups import Meanings
from workflow.services.stats_kinds import StateFlags, overdue_of
from workflow.services.stats_passes import Measure, Term, Totals


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


def figures_by_keys(session: Session, source: Subquery, keys: tuple[str, ...],
                    meanings: Meanings, today: date) -> dict[str, dict[Any, Figures]]:
    """Figures per value of each of the source's columns in keys (unit_id, category, ...), in
    the key's order (None last), in one pass (services.stats_groups)."""
    tally = FigureTally(source.c, keys, today)
    return tally.read(meanings.tally(session, source, source.c, [tally])[0])


class FigureTally:
    """The figures' measures per value of each key, and the Figures read from their totals."""

    def __init__(self, c: Any, keys: tuple[str, ...], today: date) -> None:
        rules = figure_rules(c, today)
        self.names = [*rules, "rework_rounds"]
        self.measures = [*[Measure(rule) for rule in rules.values()],
                         Measure(_problem, c.rework_rounds)]
        self.key_names = keys
        self.keys = [(c[key],) for key in keys]

    def read(self, totals: Totals) -> dict[str, dict[Any, Figures]]:
        out: dict[str, dict[Any, Figures]] = {}
        for key, per_value in zip(self.key_names, totals, strict=True):
            out[key] = {}
            for (value,), counts in per_value.items():
                figures = dict(zip(self.names, counts, strict=True))
                figures["due"] = figures.pop("dated") + figures["overdue"]
                out[key][value] = Figures(**figures)
        return out


def _problem(m: StateFlags) -> bool:
    """A problem counted: not a suggestion, not withdrawn or waived (stage 'raised')."""
    return not m.suggestion and not m.excluded


def figure_rules(c: Any, today: date) -> dict[str, Callable[[StateFlags], Term]]:
    """What each counted figure counts of a finding, by what its state means (StateFlags) and
    its row: services.stats_kinds.stage_clause per class of states (a test holds them equal).
    dated (due date and report both known) makes `due` with overdue."""
    dated = and_(c.due_date.is_not(None), c.rectified_on.is_not(None))
    # each condition built once: the passes sum one condition once (services.stats_passes)
    is_open, reported = c.is_open.is_(True), c.rectified_at.is_not(None)
    overdue, on_time = overdue_of(c, today), and_(dated, c.rectified_on <= c.due_date)
    first, reworked = c.rework_rounds == 0, c.rework_rounds > 0
    recurring = c.recurrence_of_id.is_not(None)
    return {
        "raised": _problem,
        "open": lambda m: _problem(m) and is_open,
        "rectified": lambda m: _problem(m) and (m.confirmed or reported),
        "confirmed": lambda m: _problem(m) and m.confirmed,
        "overdue": lambda m: _problem(m) and overdue,
        "on_time": lambda m: _problem(m) and on_time,
        "dated": lambda m: _problem(m) and dated,
        "first_pass": lambda m: _problem(m) and m.confirmed and first,
        "reworked": lambda m: _problem(m) and reworked,
        "recurring": lambda m: _problem(m) and recurring,
        "proposed": lambda m: m.suggestion and not m.excluded,
        "adopted": lambda m: m.suggestion and m.adopted,
        "implemented": lambda m: m.suggestion and m.implemented,
        "declined": lambda m: m.suggestion and m.declined,
    }


# The ledger's arguments selecting exactly the findings a counted figure counts (with the
# statistics' own filters, StatsQuery.ledger_args); due and rework_rounds are not finding counts.
FIGURE_LINKS: dict[str, dict[str, str]] = {
    "open": {"stage": "raised", "open": "true"},
    "overdue": {"stage": "raised", "overdue": "true"},
    **{name: {"stage": name} for name in ("raised", "rectified", "confirmed", "on_time",
                                          "first_pass", "reworked", "recurring", "proposed",
                                          "adopted", "implemented", "declined")},
}
