"""Authorization matrix, generated from the shipped definitions: for every lifecycle, every state,
every trigger of the lifecycle and every role, firing through the API succeeds exactly when the
definition lists that trigger from that state and the role among its roles (and, on the
inspecting side, the user sits above the finding's unit); otherwise 403 (role) or 409 (state,
with what the caller may do instead), and the finding and its events are unchanged.

One test per lifecycle and backend. For each state, the refused combinations are all tried
against one finding brought into that state (it must come out unchanged, so it is reused), and
each allowed combination gets a fresh finding in that state, the first reusing that one.
Every problem found is listed (lifecycle, state, trigger, role), not just the first.
"""

from __future__ import annotations

from typing import Any

import pytest

from workflow.config import REPO_ROOT
from workflow.spec import load_registry
from workflow.spec.model import ROLES

# New findings start on the newest version of each lifecycle, so that is the one to cover.
LIFECYCLES = [lc.name for lc in load_registry(REPO_ROOT / "definitions").latest()]

pytestmark = pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])


@pytest.mark.parametrize("lifecycle", LIFECYCLES)
def test_fire_succeeds_exactly_when_the_definition_allows(lifecycle, driver, flow):
    spec = driver.lifecycle(lifecycle)
    triggers = list(dict.fromkeys(t.trigger for t in spec.transitions))
    problems: list[str] = []
    tried = succeeded = 0
    for state in spec.states:
        state_problems, combos, successes = _check_state(driver, flow, spec, state.name, triggers)
        problems += state_problems
        tried, succeeded = tried + combos, succeeded + successes
        if state.final and any(t.dest_from(state.name) != state.name
                               for t in spec.transitions_from(state.name)):
            problems.append(f"{spec.key} {state.name}: a final state must have no way out")
    assert not problems, "\n".join(problems)
    assert tried == len(spec.states) * len(triggers) * len(ROLES)
    assert succeeded > 0


def _check_state(driver, flow, spec, state, triggers) -> tuple[list[str], int, int]:
    """(problems, combinations tried, combinations that had to succeed) for one state."""
    subject = driver.bring_to(spec.name, state)
    problems: list[str] = []
    allowed_combos: list[tuple[str, str]] = []
    before = flow.snapshot(subject["id"])
    for trigger in triggers:
        transition = _from_definition(spec, state, trigger)
        for role in ROLES:
            if transition is not None and role in transition.roles and driver.takes_side(
                    transition, driver.by_role[role], subject):
                allowed_combos.append((trigger, role))
                continue
            expected = 403 if transition is not None else 409
            problems += _refused(driver, subject, spec, trigger, role, expected)
    # versions only grow and events are append-only: unchanged now means no refusal changed it
    if flow.snapshot(subject["id"]) != before:
        problems.append(f"{spec.key} {state}: refused, yet the finding or its events changed")

    fresh: dict[str, Any] | None = subject  # unchanged by every refusal above: use it first
    for trigger, role in allowed_combos:
        finding = fresh or driver.bring_to(spec.name, state)
        fresh = None
        problems += _succeeds(driver, finding, _from_definition(spec, state, trigger), role)
    return problems, len(triggers) * len(ROLES), len(allowed_combos)


def _from_definition(spec, state, trigger):
    """The transition the definition lists for trigger from state, read from its data alone."""
    return next((t for t in spec.transitions if t.trigger == trigger and state in t.sources), None)



def _refused(driver, finding, spec, trigger, role, expected) -> list[str]:
    """Fire with a valid payload as a user with exactly this role; it must be refused."""
    user = driver.by_role[role]
    transition = driver.spec(spec, trigger)
    payload = driver.payload(finding, transition, user)
    response = driver.fire(finding["id"], trigger, user, payload, current=finding)
    label = f"{spec.key} {finding['state']} --{trigger}--> as {role}"
    out = []
    body = response.get_json() or {}
    if response.status_code != expected or body.get("code") != expected:
        out.append(f"{label}: expected {expected}, got {response.status_code} {body}")
    if expected == 409:
        user = driver.by_role[role]
        may = [t.trigger for t in spec.transitions if finding["state"] in t.sources
               and role in t.roles and driver.takes_side(t, user, finding)]
        if body.get("allowed") != may:
            out.append(f"{label}: 409 should list allowed={may}, got {body.get('allowed')}")
    return out


def _succeeds(driver, finding, transition, role) -> list[str]:
    user = driver.by_role[role]
    label = f"{finding['lifecycle']} {finding['state']} --{transition.trigger}--> as {role}"
    response = driver.fire(finding["id"], transition.trigger, user, current=finding)
    if response.status_code != 200:
        return [f"{label}: expected 200, got {response.status_code} {response.get_json()}"]
    body = response.get_json()
    out = []
    dest = finding["state"] if transition.dest == "=" else transition.dest
    if (body["state"], body["version"]) != (dest, finding["version"] + 1):
        out.append(f"{label}: now {body['state']} v{body['version']}, expected {dest} "
                   f"v{finding['version'] + 1}")
    events = driver.events(finding["id"])  # one per version: raise, then each transition
    last = events[-1]
    if len(events) != finding["version"] + 1 or (
            last["trigger"], last["from_state"], last["to_state"], last["actor"]["id"]) != (
            transition.trigger, finding["state"], dest, user.id):
        out.append(f"{label}: expected one new event by {user.username}, got {last}")
    return out
