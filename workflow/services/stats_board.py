"""The dashboard's board: Numbers per unit and per category, counts by state, the lights, in
one pass (services.stats_groups)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import and_
from sqlalchemy.orm import Session

from workflow.models import Unit
from workflow.services.counts import Summable
from workflow.services.late import acknowledge_overdue_clause, review_overdue_clause
from workflow.services.ledger import COLOURS, level_clause, light_clause, overdue_clause
from workflow.services.stats_groups import Meanings
from workflow.services.stats_kinds import StateFlags
from workflow.services.stats_passes import Measure, Term, Totals


@dataclass
class Numbers(Summable):
    """overdue is the unit's delay (its rectification clock ran out), review_overdue the
    reviewer's: counted apart."""

    total: int = 0
    open: int = 0
    rectified: int = 0
    confirmed: int = 0
    overdue: int = 0
    rework_rounds: int = 0
    due_and_rectified: int = 0
    on_time: int = 0
    review_overdue: int = 0  # the reviewer's delay: follow-up checks late (services.late)
    acknowledge_overdue: int = 0  # not acknowledged by the 签收 deadline

    @property
    def rectification_rate(self) -> float | None:
        return round(self.confirmed / self.total, 4) if self.total else None

    @property
    def on_time_rate(self) -> float | None:
        """Rectified by the due date, out of everything whose due date came: the rectified
        ones and the open ones already overdue (not rectified at all is not on time)."""
        due = self.due_and_rectified + self.overdue
        return round(self.on_time / due, 4) if due else None


    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "rectification_rate": self.rectification_rate,
                "on_time_rate": self.on_time_rate}


@dataclass
class Dashboard:
    totals: Numbers
    by_state: dict[tuple[str, str], int]
    by_unit: list[tuple[Unit, Numbers]] = field(default_factory=list)
    by_category: dict[str, Numbers] = field(default_factory=dict)
    focus: Unit | None = None
    lights: dict[str, int] = field(default_factory=dict)  # open findings per traffic light
    red_levels: dict[int, int] = field(default_factory=dict)  # the red ones per overdue level


@dataclass
class BoardNumbers:
    """The board before the roll-up: Numbers per unit and per category (problems only: one
    without any is absent), findings per (lifecycle, state), lights and red per level."""

    per_unit: dict[Any, Numbers]
    per_category: dict[Any, Numbers]
    by_state: dict[tuple[str, str], int]
    lights: dict[str, int]
    red_levels: dict[int, int]


def board_numbers(session: Session, source: Any, cols: Any, where: list[Any], meanings: Meanings,
                  today: date, yellow_cutoff: date, top: int) -> BoardNumbers:
    """The board over the findings matching where, in one pass (services.stats_groups)."""
    tally = BoardTally(cols, today, yellow_cutoff, top)
    return tally.read(meanings.tally(session, source, cols, [tally], where)[0])


class BoardTally:
    """The board's measures per unit, category and (lifecycle, state) of some findings columns
    (Finding, or a live findings source's), and the numbers read from their totals."""

    def __init__(self, cols: Any, today: date, yellow_cutoff: date, top: int) -> None:
        rules = number_rules(cols, today)
        self.names = [*rules, "rework_rounds"]
        lit = [light_clause(colour, today, yellow_cutoff, cols) for colour in COLOURS]
        lit += [level_clause(level, today, cols) for level in range(2, top + 1)]
        self.measures = [Measure(lambda m: not m.suggestion),
                         *[Measure(rule) for rule in rules.values()],
                         Measure(lambda m: not m.suggestion, cols.rework_rounds),
                         *[Measure(_every(condition)) for condition in lit],
                         Measure(_every(True))]
        self.keys = [(cols.unit_id,), (cols.category,), (cols.lifecycle, cols.state)]

    def read(self, totals: Totals) -> BoardNumbers:
        by_unit, by_category, by_state = totals
        per_key: list[dict[Any, Numbers]] = [{}, {}]
        lights = [0] * (len(self.measures) - len(self.names) - 2)
        for per_value, out in ((by_unit, per_key[0]), (by_category, per_key[1])):
            for (value,), (problems, *counts) in per_value.items():
                if problems:
                    out[value] = Numbers(**dict(zip(self.names, counts, strict=False)))
                if out is per_key[0]:
                    lights = [had + n for had, n in zip(lights, counts[len(self.names):],
                                                          strict=False)]
        colours: dict[str, int] = dict(zip(COLOURS, lights, strict=False))
        at_least = [colours["red"], *lights[len(COLOURS):], 0]
        return BoardNumbers(
            per_key[0], per_key[1], {key: counts[-1] for key, counts in by_state.items()},
            colours, {level: at_least[level - 1] - at_least[level]
                      for level in range(1, len(at_least))})


def _every(term: Term) -> Callable[[StateFlags], Term]:
    """A rule the same for every class: counts every row (True), or those meeting a condition."""
    return lambda _flags: term


def number_rules(cols: Any, today: date) -> dict[str, Callable[[StateFlags], Term]]:
    """What each of Numbers' counts counts of a problem, by what its state means and its row
    (rework_rounds apart: summed over every problem)."""
    def counted(m: StateFlags) -> bool:
        return not m.suggestion and not m.excluded

    dated = and_(cols.due_date.is_not(None), cols.rectified_on.is_not(None))
    # each condition built once: the passes sum one condition once (services.stats_passes)
    is_open, reported = cols.is_open.is_(True), cols.rectified_on.is_not(None)
    overdue, on_time = overdue_clause(today, cols), and_(dated, cols.rectified_on <= cols.due_date)
    review, acknowledge = (review_overdue_clause(today, cols),
                           acknowledge_overdue_clause(today, cols))
    return {
        "total": counted,
        "open": lambda m: counted(m) and is_open,
        "rectified": lambda m: counted(m) and (m.confirmed or reported),
        "confirmed": lambda m: not m.suggestion and m.confirmed,
        "overdue": lambda m: not m.suggestion and overdue,  # every problem's, set aside or not
        "due_and_rectified": lambda m: counted(m) and dated,
        "on_time": lambda m: counted(m) and on_time,
        "review_overdue": lambda m: not m.suggestion and review,
        "acknowledge_overdue": lambda m: not m.suggestion and acknowledge,
    }
