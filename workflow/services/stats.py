"""Dashboard numbers: counts by state, overdue, rectification and on-time rates, per unit."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from workflow.models import Finding, Unit, User
from workflow.services.counts import Summable
from workflow.services.late import acknowledge_overdue_clause, review_overdue_clause
from workflow.services.ledger import COLOURS, level_clause, light_clause, overdue_clause
from workflow.services.permissions import require
from workflow.services.scope import own_findings_clause, subtree_clause, unit_in_scope, units_clause
from workflow.services.stats_kinds import in_states, kind_clause, outcomes_of
from workflow.spec import Registry


def _states_with(registry: Registry, outcome: str) -> ColumnElement[bool]:
    """Findings whose state carries this outcome in the definition version they run on."""
    return in_states(Finding, tuple((lc.name, lc.version, s.name) for lc in registry.all()
                                    for s in lc.states if s.outcome == outcome))


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


def dashboard(session: Session, actor: User, today: date, registry: Registry,
              campaign_id: int | None = None, focus_unit_id: int | None = None,
              yellow_cutoff: date | None = None) -> Dashboard:
    """Numbers over what the actor may see (within the focus unit's subtree, if given),
    with a row per unit directly below the focus; Forbidden to roles without the dashboard.
    yellow_cutoff: the ledger's light filter's (services.light.today_cutoff)."""
    require(actor, "dashboard")
    scope = [own_findings_clause(actor)]  # a unit answers for its own findings, not its parts
    focus = session.get(Unit, focus_unit_id) if focus_unit_id is not None else None
    if focus is not None and not unit_in_scope(actor, focus):
        focus = None
    if focus is not None:
        scope.append(subtree_clause(session, focus.id))
    if campaign_id is not None:
        scope.append(Finding.campaign_id == campaign_id)
    kinds = outcomes_of(registry)
    by_state: dict[tuple[str, str], int] = {
        (lc, st): n for lc, st, n in session.execute(
            select(Finding.lifecycle, Finding.state, func.count()).where(*scope)
            .group_by(Finding.lifecycle, Finding.state))
    }
    problems = [*scope, kind_clause("problem", kinds, Finding)]  # suggestions apart
    per_unit = _numbers_by(session, Finding.unit_id, problems, today, registry)
    per_category = _numbers_by(session, Finding.category, problems, today, registry)
    totals = Numbers()
    for numbers in per_unit.values():
        totals.add(numbers)
    focus, rows = roll_up(session, actor, per_unit, focus)
    lights, levels = _lights(session, scope, today, yellow_cutoff or today, top_level(registry))
    return Dashboard(totals, by_state, rows, dict(sorted(per_category.items())), focus, lights,
                     levels)


def top_level(registry: Registry) -> int:
    """The highest overdue level any ladder raises (1 without ladders)."""
    return max([1, *(step.level for lc in registry.all() for step in lc.ladder)])


def _lights(session: Session, scope: list[Any], today: date, yellow_cutoff: date,
            top: int) -> tuple[dict[str, int], dict[int, int]]:
    """How many findings in scope show each light (the ledger's light filter, counted), and
    the red ones per overdue level 1..top (the ladder's column, ledger.level_clause)."""
    conds = [light_clause(c, today, yellow_cutoff) for c in COLOURS]
    conds += [level_clause(level, today) for level in range(2, top + 1)]
    row = [int(n or 0) for n in session.execute(select(
        *[func.sum(case((cond, 1), else_=0)) for cond in conds]).where(*scope)).one()]
    lights: dict[str, int] = {c: n for c, n in zip(COLOURS, row, strict=False)}
    at_least = [lights["red"], *row[len(COLOURS):], 0]
    return lights, {level: at_least[level - 1] - at_least[level]
                    for level in range(1, len(at_least))}


def _numbers_by(session: Session, key: Any, scope: list[Any], today: date,
                registry: Registry) -> dict[Any, Numbers]:
    confirmed = _states_with(registry, "confirmed")
    counted = ~_states_with(registry, "excluded")
    rectified = Finding.rectified_on.is_not(None) | confirmed
    due_rectified = Finding.due_date.is_not(None) & Finding.rectified_on.is_not(None)
    on_time = due_rectified & (Finding.rectified_on <= Finding.due_date)  # local dates

    def count_if(cond: Any) -> Any:
        return func.sum(case((cond, 1), else_=0))

    query = select(
        key, count_if(counted), count_if(counted & Finding.is_open.is_(True)),
        count_if(counted & rectified), count_if(confirmed),
        count_if(overdue_clause(today)), func.sum(Finding.rework_rounds),
        count_if(counted & due_rectified), count_if(counted & on_time),
        count_if(review_overdue_clause(today)), count_if(acknowledge_overdue_clause(today)),
    ).where(*scope).group_by(key)
    return {row[0]: Numbers(*[int(v or 0) for v in row[1:]]) for row in session.execute(query)}


def roll_up(session: Session, actor: User, per_unit: dict[int, Any],
             focus: Unit | None, make: Any = Numbers) -> tuple[Unit | None, list[tuple[Unit, Any]]]:
    """Numbers per child of the focus unit (its own findings on its own row).

    Without a focus: the actor's unit (admins: the tree's root), descending while all the
    findings sit below one single child, so the table always splits something. make: the
    numbers' class (with add), Numbers or stats_figures.Figures. Reads the visible units'
    paths only, and loads the units of the rows."""
    paths: dict[int, str] = {uid: path for uid, path in session.execute(
        select(Unit.id, Unit.path).where(units_clause(actor)))}
    if not paths:
        return None, []
    located = [(paths[uid], n) for uid, n in per_unit.items() if uid in paths]
    if focus is None:
        top = min(paths, key=lambda uid: (paths[uid].count("/"), paths[uid]))
        while True:
            heads = {_child_towards(paths[top], path) for path, _n in located} - {None}
            if len(heads) != 1 or any(path == paths[top] for path, _n in located):
                break
            top = heads.pop()  # type: ignore[assignment]
        focus = session.get_one(Unit, top)
    rolled: dict[int, Any] = defaultdict(make)
    for path, numbers in located:
        if path.startswith(focus.path):
            rolled[_child_towards(focus.path, path) or focus.id].add(numbers)
    units = {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_(list(rolled))))}
    rows = [(units[uid], n) for uid, n in rolled.items()]
    rows.sort(key=lambda pair: (pair[0].id != focus.id, pair[0].path))
    return focus, rows


def _child_towards(focus_path: str, path: str) -> int | None:
    """The id of the focus's child on the way down to the unit at path (None: the unit is the
    focus or not below it)."""
    if not path.startswith(focus_path) or path == focus_path:
        return None
    return int(path[len(focus_path):].split("/", 1)[0])
