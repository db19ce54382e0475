"""A random world for the statistics' tests: findings of every lifecycle walked at random (and
scrambled: their columns then set at random)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select, update

from workflow.catalog import CATEGORIES
from workflow.errors import RectifyError
from workflow.models import Finding
from workflow.runtime import Rectify

Flow = Any  # the `flow` fixture from tests/conftest.py
# Triggers a random walk does not take: they need a second unit's part or history.
SKIPPED = frozenset({"add_co_responsible", "report_part", "reassign", "look_back"})
# The steps towards an outcome, taken more often than the rest.
ONWARD = frozenset({"assign", "acknowledge", "report_rectification", "revisit", "confirm",
                    "reject", "adopt", "report_implementation", "fix_on_spot", "verify_on_spot"})


def random_world(flow: Flow, rectify: Rectify, seed: int, findings: int = 24,
                 categories: tuple[str, ...] = ()) -> None:
    """Findings of every lifecycle walked at random (reworks, extensions, suggestions, waived and
    withdrawn ones), hours to days apart; some still open, the clock moved on after the last;
    each in a category picked from categories, if given."""
    rng, org = random.Random(seed), flow.org
    reworked = flow.raise_().id
    for trigger in ("assign", "report_rectification", "revisit", "reject",
                    "report_rectification"):
        rectify.clock.advance(hours=rng.randrange(1, 80))
        flow.fire(reworked, trigger)
    names = [lc.name for lc in rectify.registry.latest()]
    for _ in range(findings):
        name = rng.choice(names)
        extra = {"category": rng.choice(categories)} if categories else {}
        fid = flow.raise_(name, by=org.supervisor if name == "suggestion" else None,
                          unit=rng.choice((org.group_a.id, org.group_b.id)), **extra).id
        for _step in range(rng.randrange(0, 14)):
            rectify.clock.advance(hours=rng.randrange(1, 80), microseconds=rng.randrange(10**6))
            finding = flow.finding(fid)
            spec = rectify.registry.get(finding.lifecycle, finding.lifecycle_version)
            options = [t.trigger for t in spec.transitions_from(finding.state)
                       if t.trigger not in SKIPPED]
            if not options:
                break
            onward = [t for t in options if t in ONWARD]
            try:
                flow.fire(fid, rng.choice(onward if onward and rng.random() < .7 else options))
            except (RectifyError, AssertionError, KeyError):
                continue  # a guard, a role the flow has no default for: another step
    rectify.clock.advance(days=3, seconds=17)


def scrambled_world(flow: Flow, rectify: Rectify, seed: int) -> None:
    """A random world, then its rows' columns set at random, each independent of the state (an
    open confirmed one, a report with no date...): every combination the clauses tell apart."""
    random_world(flow, rectify, seed, findings=30, categories=tuple(CATEGORIES)[:3])
    rng = random.Random(seed)
    with rectify.unit_of_work() as uow:
        today, now = uow.today(), uow.now()

        def day() -> date | None:
            return rng.choice([None, today + timedelta(days=rng.randrange(-40, 120))])

        for fid in uow.session.scalars(select(Finding.id)).all():
            uow.session.execute(update(Finding).where(Finding.id == fid).values(
                is_open=rng.random() < .6, due_date=day(), rectified_on=day(),
                rectified_at=rng.choice([None, now]), review_due_date=day(),
                acknowledge_due_date=day(), acknowledged_at=rng.choice([None, now]),
                overdue_level=rng.randrange(0, 4), rework_rounds=rng.randrange(0, 3)))
        uow.commit()
