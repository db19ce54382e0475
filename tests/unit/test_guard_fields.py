"""workflow.guards: which field a guard judges, and the earliest date a guard accepts there."""

from __future__ import annotations

from datetime import date

from workflow.guards import GUARDS, earliest_dates
from workflow.models import Finding
from workflow.spec import Registry


def test_a_guard_names_the_field_of_its_field_parameter() -> None:
    assert GUARDS["date_after_due_date"].field_of({"field": "requested_due_date"}) == "requested_due_date"
    assert GUARDS["unit_differs"].field_of({"field": "unit"}) == "unit"
    assert GUARDS["actor_did_not_fire"].field_of({"trigger": "report_rectification"}) is None


def test_the_extension_request_starts_the_day_after_the_due_date(registry: Registry) -> None:
    spec = registry.get("standard").transition("assigned", "request_extension")
    assert spec is not None
    assert earliest_dates(spec, Finding(due_date=date(2026, 3, 16))) == {
        "requested_due_date": date(2026, 3, 17)}
    assert earliest_dates(spec, Finding(due_date=None)) == {}  # no due date: no guard limit


def test_guards_without_a_date_limit_add_none(registry: Registry) -> None:
    for lc in registry.all():
        for spec in lc.transitions:
            if all(g.name != "date_after_due_date" for g in spec.guards):
                assert earliest_dates(spec, Finding(due_date=date(2026, 3, 16))) == {}

