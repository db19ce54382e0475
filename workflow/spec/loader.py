"""Read definition files (yaml.safe_load), validate them and freeze them into a Registry."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml
from marshmallow import ValidationError

from workflow.errors import DefinitionError
from workflow.machine import build_machine
from workflow.spec.checks import check
from workflow.spec.model import (
    SAME_STATE,
    Choice,
    Deadlines,
    FieldSpec,
    LadderStep,
    Lifecycle,
    Registry,
    Rule,
    StateSpec,
    TransitionSpec,
)
from workflow.spec.schema import LifecycleSchema, flatten
from workflow.spec.split_checks import check_children_lifecycles


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses a mapping with the same key twice."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "found unhashable key", key_node.start_mark
            ) from None
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key '{key}'", key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
    return mapping


def _construct_timestamp(loader: _UniqueKeyLoader, node: yaml.ScalarNode) -> Any:
    """A date-shaped scalar that is no date (2027-02-30) is a YAML error with its place."""
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError as exc:
        raise yaml.constructor.ConstructorError(
            None, None, f"not a date: {exc}", node.start_mark
        ) from None


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping
)
_UniqueKeyLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def digest(raw: Mapping[str, Any]) -> str:
    """sha256 over the canonical JSON of a definition: formatting and comments don't count."""
    text = json.dumps(raw, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def read_yaml(path: Path) -> tuple[Any, str | None]:
    """A YAML file's data (safe loader, no key twice), or None and the problem naming the file."""
    label = path.name
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader), None  # noqa: S506
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1} column {mark.column + 1}" if mark else "yaml"
        problem = getattr(exc, "problem", None) or str(exc)
        return None, f"{label}: {where}: {problem}"
    except (OSError, UnicodeDecodeError) as exc:
        return None, f"{label}: cannot read: {exc}"


def load_file(path: Path) -> tuple[Lifecycle | None, list[str]]:
    """One file: its lifecycle, or None and every problem found, each naming file and path."""
    label = path.name
    raw, problem = read_yaml(path)
    if problem:
        return None, [problem]
    if not isinstance(raw, dict):
        return None, [f"{label}: (root): expected a mapping with name, version, states, ..."]
    try:
        data = LifecycleSchema().load(raw)
    except ValidationError as exc:
        return None, [f"{label}: {where}: {msg}" for where, msg in flatten(exc.messages)]
    problems = check(data, raw)
    if problems:
        return None, [f"{label}: {where}: {msg}" for where, msg in problems]
    return _freeze(data, digest(raw), str(path)), []


def _freeze(data: Mapping[str, Any], digest_hex: str, source: str) -> Lifecycle:
    states = tuple(StateSpec(s["name"], s["zh"], s["en"], s["final"], s.get("outcome"))
                   for s in data["states"])
    transitions = tuple(_freeze_transition(t) for t in data["transitions"])
    machine_transitions = [
        {"trigger": t.trigger, "source": list(t.sources),
         "dest": SAME_STATE if t.dest == SAME_STATE else t.dest}
        for t in transitions
    ]
    return Lifecycle(
        name=data["name"], version=data["version"], zh=data["title"]["zh"],
        en=data["title"]["en"], initial=data["initial"],
        raise_roles=tuple(data["raise_roles"]), states=states, transitions=transitions,
        digest=digest_hex, source=source,
        machine=build_machine([s.name for s in states], machine_transitions, data["initial"]),
        deadlines=_freeze_deadlines(data.get("deadlines")),
        raise_effects=tuple(Rule(e["name"], MappingProxyType(dict(e["params"])))
                            for e in data["raise_effects"]),
        ladder=tuple(LadderStep(s["name"], s["zh"], s["en"], s["clock"], s["at"],
                                tuple(s["notify"]), s.get("level", 0), s["accountability"])
                     for s in data["ladder"]),
    )


def _freeze_deadlines(d: Mapping[str, Any] | None) -> Deadlines:
    if d is None:
        return Deadlines()
    return Deadlines(d["basis"], MappingProxyType(dict(d["rectify"])), d.get("acknowledge"),
                     d.get("review"), d.get("lookback"))


def _freeze_transition(t: Mapping[str, Any]) -> TransitionSpec:
    return TransitionSpec(
        trigger=t["trigger"], zh=t["zh"], en=t["en"], sources=tuple(t["source"]),
        dest=t["dest"], roles=tuple(t["roles"]),
        fields=tuple(_freeze_field(f) for f in t["fields_"]),
        guards=tuple(Rule(g["name"], MappingProxyType(dict(g["params"]))) for g in t["guards"]),
        effects=tuple(Rule(e["name"], MappingProxyType(dict(e["params"]))) for e in t["effects"]),
        todo=t["todo"], sides=tuple(t["side"]),
    )


def _freeze_field(f: Mapping[str, Any]) -> FieldSpec:
    return FieldSpec(
        name=f["name"], type=f["type"], zh=f["zh"], en=f["en"], required=f["required"],
        min_length=f.get("min_length"), max_length=f.get("max_length"),
        min_days=f.get("min_days"), max_days=f.get("max_days"),
        minimum=f.get("min"), maximum=f.get("max"), integer=f["integer"],
        min_count=f.get("min_count", 0), max_count=f.get("max_count"),
        unit_scope=f.get("scope", "actor"),
        choices=tuple(Choice(c["value"], c["zh"], c["en"]) for c in f.get("choices", [])),
    )


# Files in a definitions folder that are no lifecycle: the unit kinds (workflow.unit_kinds).
KINDS_FILE = "unit_kinds.yaml"
NOT_LIFECYCLES = frozenset({KINDS_FILE})


def _expand(paths: Iterable[Path]) -> list[Path]:
    """The lifecycle files: given files as they are, a folder's *.yaml and *.yml but those
    in NOT_LIFECYCLES."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = [*path.glob("*.yaml"), *path.glob("*.yml")]
            files.extend(sorted(p for p in found if p.name not in NOT_LIFECYCLES))
        else:
            files.append(path)
    return files


def load_paths(paths: Iterable[Path]) -> tuple[list[Lifecycle], list[str]]:
    """Every file under the paths: the lifecycles that loaded and every problem of all files."""
    lifecycles: dict[tuple[str, int], Lifecycle] = {}
    problems: list[str] = []
    for path in _expand(paths):
        lifecycle, found = load_file(path)
        problems.extend(found)
        if lifecycle is None:
            continue
        key = (lifecycle.name, lifecycle.version)
        other = lifecycles.get(key)
        if other is not None and other.digest != lifecycle.digest:
            problems.append(
                f"{path.name}: version: {lifecycle.key} is also defined, differently, "
                f"in {Path(other.source).name}"
            )
        elif other is None:
            lifecycles[key] = lifecycle
    problems.extend(check_children_lifecycles(lifecycles.values()))
    return list(lifecycles.values()), problems


def load_registry(*paths: Path) -> Registry:
    """The registry of every definition under the paths; DefinitionError lists all problems."""
    lifecycles, problems = load_paths(paths)
    if problems:
        raise DefinitionError(problems)
    if not lifecycles:
        raise DefinitionError([f"{', '.join(map(str, paths))}: no definition files found"])
    return Registry(lifecycles)
