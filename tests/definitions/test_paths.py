"""Lifecycle.path_to: a shortest way from the initial state to any state, by trigger."""

from __future__ import annotations

import pytest

from workflow.spec import Registry


def test_every_state_of_every_shipped_lifecycle_has_a_path_that_leads_there(registry: Registry) -> None:
    for lc in registry.all():
        for state in lc.states:
            here = lc.initial
            for trigger in lc.path_to(state.name):
                spec = lc.transition(here, trigger)
                assert spec is not None, (lc.key, state.name, trigger)
                here = spec.dest_from(here)
            assert here == state.name, lc.key


def test_the_path_is_a_shortest_one(registry: Registry) -> None:
    standard = registry.get("standard")
    assert standard.path_to("raised") == ()
    assert standard.path_to("revisited") == ("assign", "report_rectification", "revisit")
    assert standard.path_to("withdrawn") == ("withdraw",)


def test_no_path_to_an_unknown_state(registry: Registry) -> None:
    with pytest.raises(KeyError):
        registry.get("standard").path_to("nowhere")
