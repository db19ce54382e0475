"""The demo data set: load_demo(rectify) fills an empty database with a realistic, recent history."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from workflow.demo.loader import SPAN, Loader
from workflow.demo.model import DemoClock
from workflow.demo.stories import STORIES
from workflow.demo.units import PASSWORD, USERS
from workflow.models import Attachment, Finding, Inspection, Unit
from workflow.runtime import Rectify
from workflow.services import overdue_clause
from workflow.services.tick import tick
from workflow.spec import Registry

__all__ = ["load_demo"]


def load_demo(rectify: Rectify) -> str:
    """Load units, users, a campaign and its findings, dated over the last SPAN days; a summary."""
    now = rectify.clock()
    today = now.astimezone(rectify.zone).date()
    start = today - timedelta(days=SPAN)
    clock = DemoClock(now)
    demo = Rectify(rectify.settings, clock=clock, registry=rectify.registry,
                   unit_kinds=rectify.unit_kinds)
    try:
        with demo.unit_of_work() as uow:
            loader = Loader(uow, clock, start, demo.zone, lambda moment: tick(demo, moment))
            loader.directory()
            loader.tell(STORIES)
            loader.tick_until(SPAN - 1)
            uow.session.rollback()
        clock.set(now)
        tick(demo, now)  # what falls due today, as the scheduler would at once
        with demo.unit_of_work(write=False) as uow:
            return _summary(uow.session, rectify.registry, start, today)
    finally:
        demo.database.dispose()


def _summary(session: Session, registry: Registry, start: date, today: date) -> str:
    def count(query: Select[Any]) -> int:
        return int(session.scalar(query) or 0)

    by_lifecycle = dict(session.execute(
        select(Finding.lifecycle, func.count()).group_by(Finding.lifecycle)).all())
    present = {(name, state) for name, state in
               session.execute(select(Finding.lifecycle, Finding.state).distinct())}
    missing = [f"{lc.name}:{state.name}" for lc in registry.latest() for state in lc.states
               if (lc.name, state.name) not in present]
    total = sum(by_lifecycle.values())
    open_count = count(select(func.count()).select_from(Finding).where(Finding.is_open.is_(True)))
    overdue = count(select(func.count()).select_from(Finding).where(overdue_clause(today)))
    lines = [
        f"demo loaded: history from {start} to {today}",
        f"  {count(select(func.count()).select_from(Unit))} units, {len(USERS)} users "
        f"(password for all: {PASSWORD}), 1 campaign, "
        f"{count(select(func.count()).select_from(Inspection))} inspections, "
        f"{count(select(func.count()).select_from(Attachment))} evidence files",
        f"  {total} findings: " + ", ".join(f"{name} {n}" for name, n in sorted(by_lifecycle.items())),
        f"  {open_count} open ({overdue} overdue), {total - open_count} in a final state",
        "  every state of every lifecycle has a finding" if not missing
        else "  states without a demo finding: " + ", ".join(missing),
        "  log in as: " + ", ".join(u.username for u in USERS),
    ]
    return "\n".join(lines)
