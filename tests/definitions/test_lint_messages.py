"""Each kind of definition error, from a minimal broken file, with its exact message."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from workflow.errors import DefinitionError
from workflow.spec import load_paths, load_registry

Data = dict[str, Any]


def _tr(data: Data, i: int = 0) -> Data:
    return data["transitions"][i]


def _set(*path: Any, value: Any) -> Callable[[Data], None]:
    def mutate(data: Data) -> None:
        node = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return mutate


def _append(*path: Any, value: Any) -> Callable[[Data], None]:
    def mutate(data: Data) -> None:
        node = data
        for key in path:
            node = node[key]
        node.append(value)
    return mutate


def _copy_transition(**changes: Any) -> Callable[[Data], None]:
    def mutate(data: Data) -> None:
        data["transitions"].append({**_tr(data), **changes})
    return mutate


def _pop(key: str) -> Callable[[Data], None]:
    return lambda data: data.pop(key)


GUARDS_KNOWN = ("actor_did_not_fire, children_closed, date_after_due_date, lookback_due, "
                "new_child_unit, not_a_party_yet, not_acknowledged, part_not_done, parts_done, "
                "unit_above_finding, unit_below_raising_body, unit_differs, unit_not_the_actors")
EFFECTS_KNOWN = ("acknowledge, add_co_responsible, address_escalation, apply_pending_due_date, "
                 "await_acknowledgement, clear_due_date, clear_pending_due_date, count_rework, "
                 "default_due_date, notify, raise_child, reassign_unit, record_lookback, "
                 "record_part_done, record_rectified_at, resume_clock, schedule_lookback, "
                 "set_due_date, set_lead, set_pending_due_date, set_requirement, "
                 "set_review_due_date")

CASES: list[tuple[str, Callable[[Data], None], list[str]]] = [
    ("missing required key", _pop("initial"),
     ["bad.yaml: initial: missing data for required field"]),
    ("unknown key", _set("colour", value="red"), ["bad.yaml: colour: unknown field"]),
    ("version as string", _set("version", value="1"), ["bad.yaml: version: not a valid integer"]),
    ("version zero", _set("version", value=0),
     ["bad.yaml: version: must be greater than or equal to 1"]),
    ("bad identifier", _set("name", value="Mini-Flow"),
     ["bad.yaml: name: must be lower_snake_case letters, digits and _"]),
    ("bad trigger identifier", _set("transitions", 0, "trigger", value="Finish"),
     ["bad.yaml: transitions[0].trigger: must be lower_snake_case letters, digits and _"]),
    ("empty roles", _set("transitions", 0, "roles", value=[]),
     ["bad.yaml: transitions[0].roles: shorter than minimum length 1"]),
    ("source not a name", _set("transitions", 0, "source", value=[1]),
     ["bad.yaml: transitions[0].source: every source must be a state name"]),
    ("unknown initial state", _set("initial", value="nowhere"),
     ["bad.yaml: initial: unknown state 'nowhere'"]),
    ("duplicate state", _append("states", value={"name": "open", "zh": "又", "en": "Again"}),
     ["bad.yaml: states[2].name: duplicate state 'open'"]),
    ("no final state", _set("states", 1, "final", value=False), ["bad.yaml: states: no final state"]),
    ("unknown source state", _set("transitions", 0, "source", value=["open", "nowhere"]),
     ["bad.yaml: transitions[0].source[1]: unknown state 'nowhere'"]),
    ("unknown dest state", _set("transitions", 0, "dest", value="nowhere"),
     ["bad.yaml: transitions[0].dest: unknown state 'nowhere'"]),
    ("transition out of a final state", _copy_transition(trigger="reopen", source="done", dest="open"),
     ["bad.yaml: transitions[1].source[0]: transition out of final state 'done'"]),
    ("duplicate trigger from a source", _copy_transition(dest="open"),
     ["bad.yaml: transitions[1].trigger: duplicate trigger 'finish' from state 'open' "
      "(also transitions[0])"]),
    ("unknown transition role", _set("transitions", 0, "roles", value=["handler", "auditer"]),
     ["bad.yaml: transitions[0].roles[1]: unknown role 'auditer'"]),
    ("unknown raise role", _set("raise_roles", value=["auditer"]),
     ["bad.yaml: raise_roles[0]: unknown role 'auditer'"]),
    ("unknown field type",
     _append("transitions", 0, "fields", value={"name": "c", "type": "colour", "zh": "色", "en": "C"}),
     ["bad.yaml: transitions[0].fields[2].type: unknown field type 'colour' "
      "(known: text, date, unit, choice, number, files)"]),
    ("duplicate field",
     _append("transitions", 0, "fields", value={"name": "note", "type": "text", "zh": "又", "en": "N"}),
     ["bad.yaml: transitions[0].fields[2].name: duplicate field 'note'"]),
    ("parameter not for this field type", _set("transitions", 0, "fields", 1, "min_days", value=1),
     ["bad.yaml: transitions[0].fields[1].min_days: 'min_days' does not apply to a text field"]),
    ("choice without choices",
     _append("transitions", 0, "fields", value={"name": "how", "type": "choice", "zh": "方式", "en": "How"}),
     ["bad.yaml: transitions[0].fields[2].choices: a choice field needs at least one choice"]),
    ("min greater than max (text)",
     lambda d: _tr(d)["fields"][1].update(min_length=9, max_length=3),
     ["bad.yaml: transitions[0].fields[1].min_length: min_length 9 is greater than max_length 3"]),
    ("min greater than max (number)",
     _append("transitions", 0, "fields",
             value={"name": "n", "type": "number", "zh": "数", "en": "N", "min": 5, "max": 1}),
     ["bad.yaml: transitions[0].fields[2].min: min 5.0 is greater than max 1.0"]),
    ("min greater than max (date)",
     lambda d: _tr(d)["fields"][0].update(min_days=10, max_days=-1),
     ["bad.yaml: transitions[0].fields[0].min_days: min_days 10 is greater than max_days -1"]),
    ("unknown guard", _append("transitions", 0, "guards", value={"name": "is_friday"}),
     [f"bad.yaml: transitions[0].guards[1].name: unknown guard 'is_friday' (known: {GUARDS_KNOWN})"]),
    ("dotted path as effect", _append("transitions", 0, "effects", value={"name": "os.getcwd"}),
     [f"bad.yaml: transitions[0].effects[1].name: unknown effect 'os.getcwd' (known: {EFFECTS_KNOWN})"]),
    ("missing guard parameter", lambda d: _tr(d)["guards"][0].pop("params"),
     ["bad.yaml: transitions[0].guards[0].params: missing parameter 'field'"]),
    ("missing effect parameter", _set("transitions", 0, "effects", 0, "params", value={}),
     ["bad.yaml: transitions[0].effects[0].params: missing parameter 'field'"]),
    ("unknown parameter", _set("transitions", 0, "guards", 0, "params", "colour", value="red"),
     ["bad.yaml: transitions[0].guards[0].params.colour: unknown parameter 'colour'"]),
    ("parameter names a field of the wrong type",
     _set("transitions", 0, "guards", 0, "params", "field", value="note"),
     ["bad.yaml: transitions[0].guards[0].params.field: 'note' is not a date field of this transition"]),
    ("parameter names a missing field",
     _set("transitions", 0, "effects", 0, "params", "field", value="missing"),
     ["bad.yaml: transitions[0].effects[0].params.field: 'missing' is not a text field of this "
      "transition"]),
    ("parameter names an unknown trigger",
     _append("transitions", 0, "guards", value={"name": "actor_did_not_fire", "params": {"trigger": "nope"}}),
     ["bad.yaml: transitions[0].guards[1].params.trigger: unknown trigger 'nope'"]),
    ("parameter is not a name",
     _append("transitions", 0, "guards",
             value={"name": "actor_did_not_fire", "params": {"trigger": ["finish"]}}),
     ["bad.yaml: transitions[0].guards[1].params.trigger: must be a trigger name"]),
    ("field parameter is not a name", _set("transitions", 0, "guards", 0, "params", "field", value=["due"]),
     ["bad.yaml: transitions[0].guards[0].params.field: must be a field name"]),
    ("unreachable state",
     _append("states", value={"name": "island", "zh": "岛", "en": "Island", "final": True}),
     ["bad.yaml: states[2]: state 'island' is not reachable from 'open'"]),
    ("state that cannot reach a final state",
     lambda d: (d["states"].append({"name": "stuck", "zh": "卡", "en": "Stuck"}),
                d["transitions"].append({**_tr(d), "trigger": "stick", "dest": "stuck", "fields": [],
                                         "guards": [], "effects": []})),
     ["bad.yaml: states[2]: state 'stuck' cannot reach a final state"]),
    ("unreachable dead end",
     _append("states", value={"name": "island", "zh": "岛", "en": "Island"}),
     ["bad.yaml: states[2]: state 'island' is not reachable from 'open'",
      "bad.yaml: states[2]: state 'island' cannot reach a final state"]),
    ("outcome on a state that is not final", _set("states", 0, "outcome", value="confirmed"),
     ["bad.yaml: states[0].outcome: an outcome applies only to a final state"]),
    ("unknown outcome", _set("states", 1, "outcome", value="great"),
     ["bad.yaml: states[1].outcome: must be one of: confirmed, implemented, declined, excluded"]),
    ("reserved trigger", _set("transitions", 0, "trigger", value="migrate"),
     ["bad.yaml: transitions[0].trigger: 'migrate' is reserved for the engine"]),
    ("unknown side", _set("transitions", 0, "side", value="both"),
     ["bad.yaml: transitions[0].side: must be one of: inspecting, responsible, addressee, lead, "
      "co_responsible (each once)"]),
    ("side named twice", _set("transitions", 0, "side", value=["lead", "lead"]),
     ["bad.yaml: transitions[0].side: must be one of: inspecting, responsible, addressee, lead, "
      "co_responsible (each once)"]),
    ("empty side list", _set("transitions", 0, "side", value=[]),
     ["bad.yaml: transitions[0].side: must be a side or a non-empty list of sides"]),
    ("unit scope on a text field", _set("transitions", 0, "fields", 1, "scope", value="all"),
     ["bad.yaml: transitions[0].fields[1].scope: 'scope' does not apply to a text field"]),
]


def test_minimal_base_is_valid(minimal: Data, problems_of: Callable[..., list[str]]) -> None:
    assert problems_of(minimal) == []


@pytest.mark.parametrize(("mutate", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_error_message(minimal: Data, problems_of: Callable[..., list[str]],
                       mutate: Callable[[Data], None], expected: list[str]) -> None:
    mutate(minimal)
    assert problems_of(minimal) == expected


def test_every_meaning_problem_of_a_file_is_reported_at_once(
        minimal: Data, problems_of: Callable[..., list[str]]) -> None:
    minimal["initial"] = "nowhere"
    _tr(minimal)["roles"] = ["auditer"]
    _tr(minimal)["guards"][0]["name"] = "is_friday"
    assert problems_of(minimal) == [
        "bad.yaml: initial: unknown state 'nowhere'",
        "bad.yaml: transitions[0].roles[0]: unknown role 'auditer'",
        f"bad.yaml: transitions[0].guards[0].name: unknown guard 'is_friday' (known: {GUARDS_KNOWN})",
    ]


@pytest.mark.parametrize(("text", "expected"), [
    ("name: mini\n  version: [1\n", "bad.yaml: line 2 column 10: mapping values are not allowed here"),
    ("name: mini\nversion: 1\nname: other\n", "bad.yaml: line 3 column 1: duplicate key 'name'"),
    ("states:\n  - {name: a, name: b}\n", "bad.yaml: line 2 column 15: duplicate key 'name'"),
    ("? [a, b]\n: 1\n", "bad.yaml: line 1 column 3: found unhashable key"),
    ("name: !!python/object/apply:os.getcwd []\n",
     "bad.yaml: line 1 column 7: could not determine a constructor for the tag "
     "'tag:yaml.org,2002:python/object/apply:os.getcwd'"),
    ("- name\n- version\n", "bad.yaml: (root): expected a mapping with name, version, states, ..."),
    ("", "bad.yaml: (root): expected a mapping with name, version, states, ..."),
], ids=["syntax", "duplicate key", "nested duplicate key", "unhashable key", "python tag",
        "list at top", "empty file"])
def test_yaml_level_errors(problems_of: Callable[..., list[str]], text: str, expected: str) -> None:
    assert problems_of(text=text) == [expected]


def test_undecodable_file(write_yaml: Callable[..., Path]) -> None:
    path = write_yaml(text="")
    path.write_bytes(b"name: \xff\xfe\n")
    lifecycles, problems = load_paths([path])
    assert lifecycles == []
    assert len(problems) == 1 and problems[0].startswith("bad.yaml: cannot read: ")


def test_same_name_and_version_with_different_content_is_an_error(
        tmp_path: Path, minimal: Data, write_yaml: Callable[..., Path]) -> None:
    write_yaml(minimal, name="a.yaml")
    minimal["title"]["en"] = "Mini, edited"
    write_yaml(minimal, name="b.yaml")
    lifecycles, problems = load_paths([tmp_path])
    assert problems == ["b.yaml: version: mini@1 is also defined, differently, in a.yaml"]
    with pytest.raises(DefinitionError) as caught:
        load_registry(tmp_path)
    assert caught.value.problems == problems


def test_same_name_and_version_with_identical_content_is_fine(
        tmp_path: Path, minimal: Data, write_yaml: Callable[..., Path]) -> None:
    write_yaml(minimal, name="a.yaml")
    # Same definition, other formatting and a comment: the digest ignores both.
    write_yaml(text="# a copy\n" + yaml.safe_dump(minimal, allow_unicode=True, default_flow_style=True),
               name="b.yaml")
    lifecycles, problems = load_paths([tmp_path])
    assert problems == []
    assert [lc.key for lc in lifecycles] == ["mini@1"]
    assert len(load_registry(tmp_path)) == 1


def test_a_new_version_is_a_separate_lifecycle(
        tmp_path: Path, minimal: Data, write_yaml: Callable[..., Path]) -> None:
    write_yaml(minimal, name="mini.v1.yaml")
    minimal["version"] = 2
    minimal["title"]["en"] = "Mini 2"
    write_yaml(minimal, name="mini.v2.yaml")
    registry = load_registry(tmp_path)
    assert registry.get("mini").version == 2
    assert registry.get("mini", 1).en == "Mini"


def test_registry_refuses_an_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError) as caught:
        load_registry(tmp_path)
    assert caught.value.problems == [f"{tmp_path}: no definition files found"]
