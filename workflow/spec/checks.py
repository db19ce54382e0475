"""Meaning checks on a definition that has the right shape: names, references, the graph."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from typing import Any

from workflow.guards import EFFECTS, GUARDS, ParamKinds
from workflow.spec.model import ANNOTATIONS, AUDIENCES, FIELD_TYPES, ROLES, SAME_STATE
from workflow.spec.split_checks import check_split
from workflow.spec.time_checks import check_time

Problem = tuple[str, str]

_TYPE_PARAMS = {
    "text": {"min_length", "max_length"},
    "date": {"min_days", "max_days"},
    "number": {"min", "max", "integer"},
    "choice": {"choices"},
    "files": {"min_count", "max_count"},
    "unit": {"scope"},
}
_COMMON_PARAMS = {"name", "type", "zh", "en", "required"}
RESERVED_TRIGGERS = ("raise", "migrate", "ladder", *ANNOTATIONS)  # the engine's own events
_RANGES = (("min_length", "max_length"), ("min_days", "max_days"), ("min", "max"),
           ("min_count", "max_count"))


def check(data: Mapping[str, Any], raw: Mapping[str, Any]) -> list[Problem]:
    """Every problem of meaning in a shape-valid definition, as (yaml path, message)."""
    problems: list[Problem] = []
    states = _check_states(data, problems)
    finals = {s["name"] for s in data["states"] if s["final"]}
    _check_roles(data["raise_roles"], "raise_roles", problems)
    if data["initial"] not in states:
        problems.append(("initial", f"unknown state '{data['initial']}'"))
    triggers = {t["trigger"] for t in data["transitions"]}
    seen: dict[tuple[str, str], int] = {}
    for i, tr in enumerate(data["transitions"]):
        path = f"transitions[{i}]"
        if tr["trigger"] in RESERVED_TRIGGERS:
            problems.append((f"{path}.trigger", f"'{tr['trigger']}' is reserved for the engine"))
        raw_tr = raw["transitions"][i]
        _check_endpoints(tr, path, states, finals, seen, i, problems)
        _check_roles(tr["roles"], f"{path}.roles", problems)
        _check_fields(tr["fields_"], raw_tr.get("fields") or [], path, problems)
        declared = {f["name"]: f["type"] for f in tr["fields_"]}
        for kind, registry in (("guards", GUARDS), ("effects", EFFECTS)):
            for j, rule in enumerate(tr[kind]):
                _check_rule(rule, f"{path}.{kind}[{j}]", kind[:-1], registry, declared,
                            triggers, problems)
    for j, rule in enumerate(data["raise_effects"]):
        _check_rule(rule, f"raise_effects[{j}]", "effect", EFFECTS, {}, triggers, problems)
    problems.extend(check_time(data))
    problems.extend(check_split(data))
    if not problems:
        problems.extend(_check_graph(data, finals))
    return problems


def _check_states(data: Mapping[str, Any], problems: list[Problem]) -> set[str]:
    names: set[str] = set()
    for i, state in enumerate(data["states"]):
        if state["name"] in names:
            problems.append((f"states[{i}].name", f"duplicate state '{state['name']}'"))
        names.add(state["name"])
        if state.get("outcome") and not state["final"]:
            problems.append((f"states[{i}].outcome", "an outcome applies only to a final state"))
    if not any(s["final"] for s in data["states"]):
        problems.append(("states", "no final state"))
    return names


def _check_roles(roles: list[str], path: str, problems: list[Problem]) -> None:
    for j, role in enumerate(roles):
        if role not in ROLES:
            problems.append((f"{path}[{j}]", f"unknown role '{role}'"))


def _check_endpoints(tr: Mapping[str, Any], path: str, states: set[str], finals: set[str],
                     seen: dict[tuple[str, str], int], index: int,
                     problems: list[Problem]) -> None:
    for j, source in enumerate(tr["source"]):
        if source not in states:
            problems.append((f"{path}.source[{j}]", f"unknown state '{source}'"))
        elif source in finals and tr["dest"] != SAME_STATE:  # a look-back stays where it is
            problems.append((f"{path}.source[{j}]", f"transition out of final state '{source}'"))
        key = (tr["trigger"], source)
        if key in seen:
            problems.append((f"{path}.trigger", f"duplicate trigger '{tr['trigger']}' from state "
                             f"'{source}' (also transitions[{seen[key]}])"))
        seen.setdefault(key, index)
    if tr["dest"] != SAME_STATE and tr["dest"] not in states:
        problems.append((f"{path}.dest", f"unknown state '{tr['dest']}'"))


def _check_fields(fields: list[Mapping[str, Any]], raw_fields: list[Mapping[str, Any]],
                  path: str, problems: list[Problem]) -> None:
    names: set[str] = set()
    for k, spec in enumerate(fields):
        fpath = f"{path}.fields[{k}]"
        if spec["name"] in names:
            problems.append((f"{fpath}.name", f"duplicate field '{spec['name']}'"))
        names.add(spec["name"])
        ftype = spec["type"]
        if ftype not in FIELD_TYPES:
            problems.append((f"{fpath}.type", f"unknown field type '{ftype}' "
                             f"(known: {', '.join(FIELD_TYPES)})"))
            continue
        for key in sorted(set(raw_fields[k]) - _COMMON_PARAMS - _TYPE_PARAMS[ftype]):
            problems.append((f"{fpath}.{key}", f"'{key}' does not apply to a {ftype} field"))
        if ftype == "choice" and not spec.get("choices"):
            problems.append((f"{fpath}.choices", "a choice field needs at least one choice"))
        for low, high in _RANGES:
            if low in spec and high in spec and spec[low] > spec[high]:
                problems.append((f"{fpath}.{low}", f"{low} {spec[low]} is greater than "
                                 f"{high} {spec[high]}"))


def _check_rule(rule: Mapping[str, Any], path: str, kind: str, registry: Mapping[str, Any],
                declared: Mapping[str, str], triggers: set[str],
                problems: list[Problem]) -> None:
    if rule["name"] not in registry:
        known = ", ".join(sorted(registry))
        problems.append((f"{path}.name", f"unknown {kind} '{rule['name']}' (known: {known})"))
        return
    kinds: ParamKinds = registry[rule["name"]].params
    params = rule["params"]
    for name in sorted(set(kinds) - set(params)):
        problems.append((f"{path}.params", f"missing parameter '{name}'"))
    for name in sorted(set(params) - set(kinds)):
        problems.append((f"{path}.params.{name}", f"unknown parameter '{name}'"))
    for name in sorted(set(params) & set(kinds)):
        value, expected = params[name], kinds[name]
        if not isinstance(value, str):
            problems.append((f"{path}.params.{name}", f"must be a {expected.split(':')[0]} name"))
        elif expected == "trigger" and value not in triggers:
            problems.append((f"{path}.params.{name}", f"unknown trigger '{value}'"))
        elif expected == "lifecycle" and not value.isidentifier():  # known: load_paths checks
            problems.append((f"{path}.params.{name}", f"'{value}' is not a lifecycle name"))
        elif expected == "audience" and value not in AUDIENCES:
            problems.append((f"{path}.params.{name}", f"unknown audience '{value}' "
                             f"(known: {', '.join(AUDIENCES)})"))
        elif expected.startswith("field:"):
            ftype = expected.split(":", 1)[1]
            if declared.get(value) != ftype:
                problems.append((f"{path}.params.{name}",
                                 f"'{value}' is not a {ftype} field of this transition"))


def _check_graph(data: Mapping[str, Any], finals: set[str]) -> list[Problem]:
    edges: dict[str, set[str]] = {s["name"]: set() for s in data["states"]}
    for tr in data["transitions"]:
        for source in tr["source"]:
            edges[source].add(source if tr["dest"] == SAME_STATE else tr["dest"])
    reachable = _closure({data["initial"]}, edges)
    reverse: dict[str, set[str]] = {name: set() for name in edges}
    for source, dests in edges.items():
        for dest in dests:
            reverse[dest].add(source)
    can_finish = _closure(finals, reverse)
    problems: list[Problem] = []
    for i, state in enumerate(data["states"]):
        name = state["name"]
        if name not in reachable:
            problems.append((f"states[{i}]", f"state '{name}' is not reachable from "
                             f"'{data['initial']}'"))
        if not state["final"] and name not in can_finish:
            problems.append((f"states[{i}]", f"state '{name}' cannot reach a final state"))
    return problems


def _closure(start: set[str], edges: Mapping[str, set[str]]) -> set[str]:
    seen, queue = set(start), deque(start)
    while queue:
        for nxt in edges[queue.popleft()]:
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen
