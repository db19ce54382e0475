"""workflow.machine: one shared machine per lifecycle version, fired on a throwaway token."""

from __future__ import annotations

import pytest

import workflow.machine
from workflow.errors import TransitionNotAllowed
from workflow.machine import Token, build_machine, next_state
from workflow.spec import Registry


def test_one_machine_per_lifecycle_version_is_shared(registry: Registry) -> None:
    standard = registry.get("standard")
    assert registry.get("standard", 3).machine is standard.machine
    assert registry.get("standard").machine is standard.machine
    assert registry.get("standard", 2).machine is not standard.machine  # one per version
    machines = {id(lc.machine) for lc in registry.all()}
    assert len(machines) == len(registry)


def test_machine_has_no_model_and_no_auto_transitions(registry: Registry) -> None:
    for lc in registry.all():
        machine = lc.machine
        assert machine.models == []
        assert machine.auto_transitions is False
        assert not [event for event in machine.events if event.startswith("to_")]
    assert "to_closed" not in registry.get("standard").machine.events


def test_build_machine_does_not_keep_the_callers_config() -> None:
    transitions = [{"trigger": "go", "source": ["a"], "dest": "b"}]
    machine = build_machine(["a", "b"], transitions, "a")
    assert transitions == [{"trigger": "go", "source": ["a"], "dest": "b"}]
    transitions[0]["dest"] = "a"
    assert next_state(machine, "a", "go") == "b"


def test_next_state_follows_the_definition(registry: Registry) -> None:
    machine = registry.get("standard").machine
    assert next_state(machine, "raised", "assign") == "assigned"
    assert next_state(machine, "revisited", "reject") == "assigned"
    assert next_state(machine, "revisited", "confirm") == "closed"
    assert next_state(machine, "rectified", "waive") == "waived"


@pytest.mark.parametrize("state", ["raised", "assigned"])
def test_reflexive_dest_keeps_the_state(registry: Registry, state: str) -> None:
    assert next_state(registry.get("standard").machine, state, "reassign") == state


class _SpyToken(Token):
    """A Token subclass with a __dict__, so anything bound onto it would show up."""

    made: list[_SpyToken] = []

    def __init__(self, state: str) -> None:
        super().__init__(state)
        _SpyToken.made.append(self)


def test_firing_binds_nothing_onto_the_token(registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    _SpyToken.made.clear()
    monkeypatch.setattr(workflow.machine, "Token", _SpyToken)
    machine = registry.get("standard").machine
    assert next_state(machine, "assigned", "report_rectification") == "rectified"
    (token,) = _SpyToken.made
    assert vars(token) == {}
    assert token.state == "rectified"
    assert machine.models == []


def test_token_has_only_a_state_slot() -> None:
    token = Token("raised")
    with pytest.raises(AttributeError):
        token.trigger = "anything"  # type: ignore[attr-defined]


def test_shared_machine_is_untouched_by_firing(registry: Registry) -> None:
    machine = registry.get("standard").machine
    before = sorted(machine.events)
    for _ in range(3):
        next_state(machine, "raised", "assign")
    assert sorted(machine.events) == before
    assert machine.models == []


def test_not_allowed_lists_the_allowed_triggers(registry: Registry) -> None:
    machine = registry.get("standard").machine
    with pytest.raises(TransitionNotAllowed) as caught:
        next_state(machine, "raised", "confirm")
    err = caught.value
    assert (err.trigger, err.state) == ("confirm", "raised")
    assert sorted(err.allowed) == ["assign", "reassign", "split_off", "withdraw"]
    assert str(err) == ("'confirm' is not allowed from state 'raised'; allowed now: "
                        f"{', '.join(err.allowed)}")


def test_not_allowed_from_a_final_state(registry: Registry) -> None:
    with pytest.raises(TransitionNotAllowed) as caught:
        next_state(registry.get("standard", 1).machine, "closed", "reject")
    assert caught.value.allowed == []
    assert str(caught.value) == "'reject' is not allowed from state 'closed'; allowed now: none"
    with pytest.raises(TransitionNotAllowed) as caught:  # v2: only the look-back, in place
        next_state(registry.get("standard", 2).machine, "closed", "reject")
    assert caught.value.allowed == ["look_back"]
    assert next_state(registry.get("standard", 2).machine, "closed", "look_back") == "closed"


def test_auto_transition_name_is_not_a_trigger(registry: Registry) -> None:
    with pytest.raises(TransitionNotAllowed):
        next_state(registry.get("standard").machine, "raised", "to_closed")


def test_trigger_of_another_lifecycle_is_refused(registry: Registry) -> None:
    with pytest.raises(TransitionNotAllowed):
        next_state(registry.get("standard").machine, "raised", "fix_on_spot")
