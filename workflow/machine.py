"""One transitions.Machine per lifecycle version, built once; findings fire on a throwaway token."""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterable
from typing import Any

from transitions import Machine

from workflow.errors import TransitionNotAllowed

logging.getLogger("transitions").setLevel(logging.WARNING)


class Token:
    """The only object ever bound to a machine: holds a state for the length of one call."""

    __slots__ = ("state",)

    def __init__(self, state: str) -> None:
        self.state = state


def build_machine(states: Iterable[str], transitions: list[dict[str, Any]], initial: str) -> Machine:
    """A shared machine with no model and no `to_<state>()` back doors."""
    return Machine(
        model=None,
        states=list(states),
        transitions=copy.deepcopy(transitions),
        initial=initial,
        auto_transitions=False,
        send_event=False,
    )


def next_state(machine: Machine, state: str, trigger: str) -> str:
    """The state `trigger` leads to from `state`, as the machine computes it."""
    event = machine.events.get(trigger)
    if event is None or state not in event.transitions:
        raise TransitionNotAllowed(trigger, state, machine.get_triggers(state))
    token = Token(state)
    event.trigger(token)
    return token.state
