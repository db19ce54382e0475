"""Two steps in one submission: raise-and-assign, a check and its verdict (fire twice, one commit)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from workflow.models import Finding, User
from workflow.services.firing import fire, refusal
from workflow.spec.model import SAME_STATE, Lifecycle, TransitionSpec

if TYPE_CHECKING:
    from workflow.runtime import UnitOfWork

# What the raise form must carry, and what the transition must take, to assign at once.
ASSIGN_FIELDS = frozenset({"requirement", "due_date"})
# A transition recording a check (its date field): its verdict may follow in the same form.
CHECK_FIELD = "visited_on"
TWO_STEP_JOIN = "-then-"  # trigger names are snake_case: the two-step form's key splits here


def two_step_key(first: str, then: str) -> str:
    """The name of a two-step form ("revisit-then-confirm"): its id, the page's `open`."""
    return f"{first}{TWO_STEP_JOIN}{then}"


def assign_on_raise(spec: Lifecycle, actor: User, raise_fields: frozenset[str]
                    ) -> TransitionSpec | None:
    """The transition a new finding takes at once when the raise form carries a requirement and
    a due date: the first one leaving the initial state for another state whose payload fields
    include requirement and due_date and are all raise-form fields, that one of the raiser's
    roles may fire. None when the definition has none (the finding stays in its initial state)."""
    for transition in spec.transitions_from(spec.initial):
        names = {f.name for f in transition.fields}
        if (transition.dest not in (SAME_STATE, spec.initial)
                and ASSIGN_FIELDS <= names <= raise_fields
                and actor.role_set.intersection(transition.roles)):
            return transition
    return None


def verdicts_after(spec: Lifecycle, check: TransitionSpec, actor: User,
                   finding: Finding) -> list[TransitionSpec]:
    """The steps that may follow a check step in one submission: from the state the check leads
    to, those leaving that state that the actor's roles and side allow (their guards run when
    fired). None unless `check` records a check (a visited_on field) and changes the state."""
    if check.field(CHECK_FIELD) is None or check.dest == SAME_STATE:
        return []
    return [t for t in spec.transitions_from(check.dest)
            if t.dest not in (SAME_STATE, check.dest) and refusal(actor, t, finding) is None]


def fire_two(uow: UnitOfWork, finding_id: int, steps: tuple[str, str], actor: User,
             payloads: tuple[Mapping[str, Any], Mapping[str, Any]],
             expected_version: int | None = None) -> Finding:
    """Fire steps[0] then steps[1] on one finding through fire(), every check of both, and
    commit both events at once; if either is refused, raise and write nothing."""
    fire(uow, finding_id, steps[0], actor, payloads[0], expected_version, commit=False)
    finding = fire(uow, finding_id, steps[1], actor, payloads[1], commit=False)
    uow.commit()
    return finding
