"""A random world for the statistics' tests: findings of every lifecycle walked at random."""

from __future__ import annotations

import random
from typing import Any

from workflow.errors import RectifyError
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
