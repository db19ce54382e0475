"""Before/after grouping of a finding's evidence (workflow.services.before_after), on the
shipped definitions, without a database or Flask."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from workflow.config import REPO_ROOT
from workflow.services.before_after import before_after, check_triggers
from workflow.spec.loader import load_file
from workflow.spec.model import Lifecycle


@dataclass
class Ev:
    trigger: str
    payload: dict[str, Any] = field(default_factory=dict)


def lifecycle(name: str) -> Lifecycle:
    lc, problems = load_file(REPO_ROOT / "definitions" / f"{name}.yaml")
    assert lc is not None, problems
    return lc


FILES = {d: f"row-{d}" for d in ("b1", "b2", "a1", "a2", "r1", "p1", "x1")}


def test_before_is_the_raise_and_after_the_latest_report() -> None:
    events = [Ev("raise", {"title": "t", "evidence": ["b1", "b2"]}), Ev("assign", {}),
              Ev("report_rectification", {"measures": "m", "evidence": ["a1"]}),
              Ev("revisit", {"photos": ["r1"]}), Ev("reject", {"reason": "no"}),
              Ev("report_part", {"evidence": ["p1"]}),
              Ev("report_rectification", {"measures": "m2", "evidence": ["a2", "gone"]})]
    grouped = before_after(lifecycle("standard.v3"), events, FILES)
    assert grouped.before == ["row-b1", "row-b2"]
    assert grouped.after == ["row-a2"]  # the latest round; unknown digests dropped
    assert grouped.rounds == 2 and not grouped.empty


def test_immediate_fix_photos_are_the_after() -> None:
    events = [Ev("raise", {"evidence": ["b1"]}), Ev("fix_on_spot", {"photos": ["a1"]})]
    grouped = before_after(lifecycle("immediate.v2"), events, FILES)
    assert (grouped.before, grouped.after, grouped.rounds) == (["row-b1"], ["row-a1"], 1)


def test_nothing_reported_yet() -> None:
    grouped = before_after(lifecycle("standard.v3"), [Ev("raise", {"title": "t"})], FILES)
    assert grouped.empty and grouped.rounds == 0


@pytest.mark.parametrize(("name", "expected"), [
    ("standard.v3", {"revisit", "confirm", "reject"}),
    ("immediate.v2", {"verify_on_spot", "reject_on_spot"}),
    ("escalation.v3", {"confirm", "reject"}),
])
def test_the_checking_forms(name: str, expected: set[str]) -> None:
    assert check_triggers(lifecycle(name)) == expected  # not withdraw, waive, urge, the report
