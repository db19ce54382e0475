"""Dashboard numbers: counts by state, overdue, rectification and on-time rates, per unit."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.models import Finding, Unit, User
from workflow.services.permissions import require
from workflow.services.scope import answered_clause, unit_in_scope, units_clause
from workflow.services.stats_board import (
    BoardNumbers,
    BoardTally,
    Dashboard,
    Numbers,
    board_numbers,
)
from workflow.services.stats_groups import Meanings
from workflow.services.stats_kinds import outcomes_of
from workflow.services.stats_tallied import tallied_scope, tally_totals
from workflow.spec import Registry


def dashboard(session: Session, actor: User, today: date, registry: Registry,
              campaign_id: int | None = None, focus_unit_id: int | None = None,
              yellow_cutoff: date | None = None) -> Dashboard:
    """Numbers over what the actor may see (within the focus unit's subtree, if given),
    with a row per unit directly below the focus; Forbidden to roles without the dashboard.
    yellow_cutoff: the ledger's light filter's (services.light.today_cutoff)."""
    require(actor, "dashboard")
    focus = session.get(Unit, focus_unit_id) if focus_unit_id is not None else None
    if focus is not None and not unit_in_scope(actor, focus):
        focus = None
    meanings = Meanings(registry, outcomes_of(registry))
    cutoff = yellow_cutoff or today
    kept = (tallied_scope(session, actor, focus, today, cutoff) if campaign_id is None
            else None)
    if kept is not None:  # the kept counts (services.stats_tallied)
        tally = BoardTally(kept.source.c, today, cutoff, top_level(registry))
        numbers = tally.read(tally_totals(session, meanings, kept, [tally])[0])
        return board_of(session, actor, numbers, kept.focus)
    # a unit answers for its own findings, not its parts
    scope = [answered_clause(session, actor, None if focus is None else focus.id)]
    if campaign_id is not None:
        scope.append(Finding.campaign_id == campaign_id)
    numbers = board_numbers(session, Finding.__table__, Finding, scope, meanings, today, cutoff,
                            top_level(registry))
    return board_of(session, actor, numbers, focus)


def board_of(session: Session, actor: User, numbers: BoardNumbers,
             focus: Unit | None) -> Dashboard:
    """The dashboard from its numbers, rolled up to the focus's children (roll_up)."""
    totals = Numbers()
    for counted in numbers.per_unit.values():
        totals.add(counted)
    focus, rows = roll_up(session, actor, numbers.per_unit, focus)
    return Dashboard(totals, numbers.by_state, rows, dict(sorted(numbers.per_category.items())),
                     focus, numbers.lights, numbers.red_levels)


def top_level(registry: Registry) -> int:
    """The highest overdue level any ladder raises (1 without ladders)."""
    return max([1, *(step.level for lc in registry.all() for step in lc.ladder)])


def roll_up(session: Session, actor: User, per_unit: dict[int, Any],
             focus: Unit | None, make: Any = Numbers) -> tuple[Unit | None, list[tuple[Unit, Any]]]:
    """Numbers per child of the focus unit (its own findings on its own row).

    Without a focus: the actor's unit (admins: the tree's root), descending while all the
    findings sit below one single child, so the table always splits something. make: the
    numbers' class (with add), Numbers or stats_figures.Figures. Reads the visible units'
    paths only (with a focus: those in its subtree), and loads the units of the rows."""
    below = [] if focus is None else [Unit.path.startswith(focus.path, autoescape=True)]
    paths: dict[int, str] = {uid: path for uid, path in session.execute(
        select(Unit.id, Unit.path).where(units_clause(actor), *below))}
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
