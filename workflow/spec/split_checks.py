"""Meaning checks on splitting a finding into child findings (raise_child): the child's unit is
guarded like any responsible unit, and the parent cannot end while a child is open."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from workflow.spec.model import SAME_STATE, Lifecycle

Problem = tuple[str, str]

RAISE_CHILD = "raise_child"
CHILDREN_CLOSED = "children_closed"
ASSIGN = "assign"  # a child's first step: its lifecycle's transition of this name
# Guards the unit field of a split must carry, on the same field.
UNIT_GUARDS = ("unit_below_raising_body", "new_child_unit")


def check_split(data: Mapping[str, Any]) -> list[Problem]:
    """Problems of a definition's splits, as (yaml path, message)."""
    problems: list[Problem] = []
    splits = False
    for i, tr in enumerate(data["transitions"]):
        for j, effect in enumerate(tr["effects"]):
            if effect["name"] != RAISE_CHILD:
                continue
            splits = True
            unit = effect["params"].get("unit")
            guarded = {g["name"] for g in tr["guards"] if g["params"].get("field") == unit}
            for name in UNIT_GUARDS:
                if name not in guarded:
                    problems.append((f"transitions[{i}].effects[{j}]", f"raise_child needs the "
                                     f"guard {name} on its unit field '{unit}'"))
    if splits:
        finals = {s["name"] for s in data["states"] if s["final"]}
        for i, tr in enumerate(data["transitions"]):
            ends = tr["dest"] != SAME_STATE and tr["dest"] in finals
            if ends and CHILDREN_CLOSED not in {g["name"] for g in tr["guards"]}:
                problems.append((f"transitions[{i}].guards", f"'{tr['trigger']}' ends a finding "
                                 f"that may have child findings: it needs {CHILDREN_CLOSED}"))
    return problems


def check_children_lifecycles(lifecycles: Iterable[Lifecycle]) -> list[str]:
    """Across files: each raise_child names a loaded lifecycle whose start has an `assign`."""
    newest: dict[str, Lifecycle] = {}
    for lifecycle in lifecycles:
        if lifecycle.name not in newest or lifecycle.version > newest[lifecycle.name].version:
            newest[lifecycle.name] = lifecycle
    problems: list[str] = []
    for lifecycle in lifecycles:
        for i, tr in enumerate(lifecycle.transitions):
            for j, effect in enumerate(tr.effects):
                if effect.name != RAISE_CHILD:
                    continue
                child = newest.get(effect.params["lifecycle"])
                where = f"{Path(lifecycle.source).name}: transitions[{i}].effects[{j}]"
                if child is None:
                    problems.append(f"{where}.params.lifecycle: unknown lifecycle "
                                    f"'{effect.params['lifecycle']}'")
                elif child.transition(child.initial, ASSIGN) is None:
                    problems.append(f"{where}.params.lifecycle: {child.key} has no '{ASSIGN}' "
                                    f"from its initial state '{child.initial}'")
    return problems
