"""Lint of splitting into child findings: the split's unit guarded like a responsible unit, every
end of a splitting lifecycle guarded by children_closed, the child's lifecycle known and
assignable from its start."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from workflow.spec import load_paths
from workflow.spec.loader import NOT_LIFECYCLES

SHIPPED = Path(__file__).parents[2] / "definitions"
SPLITTING = SHIPPED / "standard.v3.yaml"


def _split(data: dict[str, Any]) -> dict[str, Any]:
    return next(t for t in data["transitions"] if t["trigger"] == "split_off")


def _drop_guard(trigger: str, name: str) -> Callable[[dict[str, Any]], None]:
    def mutate(data: dict[str, Any]) -> None:
        tr = next(t for t in data["transitions"] if t["trigger"] == trigger)
        tr["guards"] = [g for g in tr["guards"] if g["name"] != name]
    return mutate


def _child_lifecycle(name: str) -> Callable[[dict[str, Any]], None]:
    def mutate(data: dict[str, Any]) -> None:
        _split(data)["effects"][0]["params"]["lifecycle"] = name
    return mutate


def _index(trigger: str) -> int:
    triggers = [t["trigger"] for t in yaml.safe_load(SPLITTING.read_text(encoding="utf-8"))
                ["transitions"]]
    return triggers.index(trigger)


SPLIT = f"transitions[{_index('split_off')}]"
CASES = [
    ("split without one child per unit", _drop_guard("split_off", "new_child_unit"),
     f"standard.v3.yaml: {SPLIT}.effects[0]: raise_child needs the guard new_child_unit on its "
     "unit field 'unit'"),
    ("split above the raising body", _drop_guard("split_off", "unit_below_raising_body"),
     f"standard.v3.yaml: {SPLIT}.effects[0]: raise_child needs the guard unit_below_raising_body "
     "on its unit field 'unit'"),
    ("confirm with children open", _drop_guard("confirm", "children_closed"),
     f"standard.v3.yaml: transitions[{_index('confirm')}].guards: 'confirm' ends a finding "
     "that may have child findings: it needs children_closed"),
    ("unknown child lifecycle", _child_lifecycle("nosuch"),
     f"standard.v3.yaml: {SPLIT}.effects[0].params.lifecycle: unknown lifecycle 'nosuch'"),
    ("child lifecycle without assign", _child_lifecycle("suggestion"),
     f"standard.v3.yaml: {SPLIT}.effects[0].params.lifecycle: suggestion@2 has no 'assign' "
     "from its initial state 'proposed'"),
    ("not a lifecycle name", _child_lifecycle("no such"),
     f"standard.v3.yaml: {SPLIT}.effects[0].params.lifecycle: 'no such' is not a lifecycle name"),
]


def test_the_splitting_definition_is_valid() -> None:
    assert load_paths([SHIPPED])[1] == []


@pytest.mark.parametrize(("mutate", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_split_problems(tmp_path: Path, mutate: Callable[[dict[str, Any]], None],
                        expected: str) -> None:
    data = yaml.safe_load(SPLITTING.read_text(encoding="utf-8"))
    mutate(data)
    others = [p for p in SHIPPED.glob("*.yaml") if p != SPLITTING and p.name not in NOT_LIFECYCLES]
    (tmp_path / "standard.v3.yaml").write_text(yaml.safe_dump(data, allow_unicode=True),
                                               encoding="utf-8")
    assert load_paths([*others, tmp_path])[1] == [expected]
