"""The kinds of unit an organisation declares (unit_kinds.yaml): read, validated, frozen."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from workflow.errors import UnitKindsError
from workflow.spec.loader import KINDS_FILE, read_yaml
from workflow.spec.model import Choice
from workflow.spec.schema import IDENTIFIER, flatten

__all__ = ["KINDS_FILE", "UnitKind", "UnitKinds", "load_unit_kinds", "unit_kinds_problems"]

_MISSING: dict[str, str | list[Any] | dict[Any, Any]] = {"required": "missing"}
_label = fields.Str(required=True, validate=validate.Length(min=1, max=100),
                    error_messages=_MISSING)


@dataclass(frozen=True)
class UnitKind:
    """One kind: its key (stored on units), labels, and whether such bodies inspect others."""

    key: str
    zh: str
    en: str
    inspects: bool
    description: str = ""

    def label(self, lang: str) -> str:
        return self.zh if lang.startswith("zh") else self.en


@dataclass(frozen=True)
class UnitKinds:
    """The declared kinds in file order, and the file they came from."""

    kinds: tuple[UnitKind, ...]
    source: str = ""

    def __iter__(self) -> Iterator[UnitKind]:
        return iter(self.kinds)

    def __contains__(self, key: object) -> bool:
        return any(kind.key == key for kind in self.kinds)

    def get(self, key: str) -> UnitKind | None:
        return next((kind for kind in self.kinds if kind.key == key), None)

    def keys(self) -> tuple[str, ...]:
        return tuple(kind.key for kind in self.kinds)

    @property
    def inspecting(self) -> frozenset[str]:
        """Kinds of body that organise campaigns and raise findings on the units below them."""
        return frozenset(kind.key for kind in self.kinds if kind.inspects)

    def label(self, key: str, lang: str) -> str:
        """The kind's label in the language; an undeclared key as it is."""
        kind = self.get(key)
        return kind.label(lang) if kind else key

    def choices(self) -> tuple[Choice, ...]:
        return tuple(Choice(kind.key, kind.zh, kind.en) for kind in self.kinds)


class _KindSchema(Schema):
    key = fields.Str(required=True, error_messages=_MISSING,
                     validate=[IDENTIFIER, validate.Length(max=32)])  # the column's width
    zh = _label
    en = _label
    inspects = fields.Bool(load_default=False)
    description = fields.Str(load_default="", validate=validate.Length(max=500))


class _FileSchema(Schema):
    kinds = fields.List(fields.Nested(_KindSchema), required=True, error_messages=_MISSING,
                        validate=validate.Length(min=1, error="declare at least one kind"))


def unit_kinds_problems(path: Path) -> tuple[UnitKinds | None, list[str]]:
    """The kinds in the file, or None and every problem, each naming the file and YAML path."""
    raw, problem = read_yaml(path)
    if problem:
        return None, [problem]
    if not isinstance(raw, dict):
        return None, [f"{path.name}: (root): expected a mapping with a list of kinds"]
    try:
        data = _FileSchema().load(raw)
    except ValidationError as exc:
        return None, [f"{path.name}: {where}: {msg}" for where, msg in flatten(exc.messages)]
    problems = [f"{path.name}: {where}: {msg}" for where, msg in _meaning(data["kinds"])]
    if problems:
        return None, problems
    return UnitKinds(tuple(UnitKind(**kind) for kind in data["kinds"]), str(path)), []


def _meaning(kinds: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Each key once; at least one kind of body that inspects (campaigns need an organiser)."""
    first: dict[str, int] = {}
    found: list[tuple[str, str]] = []
    for index, kind in enumerate(kinds):
        earlier = first.setdefault(kind["key"], index)
        if earlier != index:
            found.append((f"kinds[{index}].key", f"'{kind['key']}' is also kinds[{earlier}]"))
    if not any(kind["inspects"] for kind in kinds):
        found.append(("kinds", "no kind inspects: mark the bodies that organise campaigns and "
                               "raise findings with inspects: true"))
    return found


def load_unit_kinds(path: Path) -> UnitKinds:
    """The declared kinds; UnitKindsError lists every problem of the file."""
    kinds, problems = unit_kinds_problems(path)
    if kinds is None:
        raise UnitKindsError(problems)
    return kinds
