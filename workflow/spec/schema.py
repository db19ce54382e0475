"""Marshmallow schemas for the shape of a definition file; meaning is checked in checks.py."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from workflow.spec.model import OUTCOMES, SIDES

IDENTIFIER = validate.Regexp(
    r"^[a-z][a-z0-9_]*$", error="must be lower_snake_case letters, digits and _"
)
_label = fields.Str(required=True, validate=validate.Length(min=1, max=200))


class OneOrMany(fields.Field[list[str]]):
    """A state name or a list of state names."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> list[str]:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items:
            raise ValidationError("must be a state name or a non-empty list of state names")
        if not all(isinstance(item, str) for item in items):
            raise ValidationError("every source must be a state name")
        return items


class Sides(fields.Field[list[str]]):
    """A side or a list of sides (any one of them may take the transition)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> list[str]:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items:
            raise ValidationError("must be a side or a non-empty list of sides")
        unknown = [item for item in items if item not in SIDES]
        if unknown or len(set(items)) != len(items):
            raise ValidationError(f"must be one of: {', '.join(SIDES)} (each once)")
        return items


class TitleSchema(Schema):
    zh = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    en = fields.Str(required=True, validate=validate.Length(min=1, max=200))


class ChoiceSchema(Schema):
    value = fields.Str(required=True, validate=IDENTIFIER)
    zh = _label
    en = _label


class FieldSchema(Schema):
    name = fields.Str(required=True, validate=IDENTIFIER)
    type = fields.Str(required=True)
    zh = _label
    en = _label
    required = fields.Bool(load_default=False)
    min_length = fields.Int(strict=True, validate=validate.Range(min=0))
    max_length = fields.Int(strict=True, validate=validate.Range(min=1))
    min_days = fields.Int(strict=True)
    max_days = fields.Int(strict=True)
    min = fields.Float()
    max = fields.Float()
    integer = fields.Bool(load_default=False)
    min_count = fields.Int(strict=True, validate=validate.Range(min=0))
    max_count = fields.Int(strict=True, validate=validate.Range(min=1))
    scope = fields.Str(validate=validate.OneOf(["actor", "all"]))
    choices = fields.List(fields.Nested(ChoiceSchema))


class RuleSchema(Schema):
    name = fields.Str(required=True)
    params = fields.Dict(keys=fields.Str(), load_default=dict)


class StateSchema(Schema):
    name = fields.Str(required=True, validate=IDENTIFIER)
    zh = _label
    en = _label
    final = fields.Bool(load_default=False)
    outcome = fields.Str(validate=validate.OneOf(list(OUTCOMES)))


class TransitionSchema(Schema):
    trigger = fields.Str(required=True, validate=IDENTIFIER)
    zh = _label
    en = _label
    source = OneOrMany(required=True)
    dest = fields.Str(required=True)
    roles = fields.List(fields.Str(), required=True, validate=validate.Length(min=1))
    todo = fields.Bool(load_default=True)
    side = Sides(load_default=["inspecting"])
    fields_ = fields.List(fields.Nested(FieldSchema), data_key="fields", load_default=list)
    guards = fields.List(fields.Nested(RuleSchema), load_default=list)
    effects = fields.List(fields.Nested(RuleSchema), load_default=list)


_days = fields.Int(strict=True, validate=validate.Range(min=0, max=366))


class DeadlinesSchema(Schema):
    basis = fields.Str(required=True, validate=validate.OneOf(["working", "calendar"]))
    rectify = fields.Dict(keys=fields.Str(), values=_days, load_default=dict)
    acknowledge = _days
    review = _days
    lookback = _days


class LadderStepSchema(Schema):
    name = fields.Str(required=True, validate=IDENTIFIER)
    zh = _label
    en = _label
    clock = fields.Str(required=True)
    at = fields.Int(required=True, strict=True, validate=validate.Range(min=-366, max=366))
    notify = fields.List(fields.Str(), required=True, validate=validate.Length(min=1))
    level = fields.Int(strict=True, validate=validate.Range(min=2, max=9))
    accountability = fields.Bool(load_default=False)


class LifecycleSchema(Schema):
    name = fields.Str(required=True, validate=IDENTIFIER)
    version = fields.Int(required=True, strict=True, validate=validate.Range(min=1))
    title = fields.Nested(TitleSchema, required=True)
    raise_roles = fields.List(fields.Str(), required=True, validate=validate.Length(min=1))
    initial = fields.Str(required=True)
    states = fields.List(fields.Nested(StateSchema), required=True, validate=validate.Length(min=1))
    transitions = fields.List(
        fields.Nested(TransitionSchema), required=True, validate=validate.Length(min=1)
    )
    raise_effects = fields.List(fields.Nested(RuleSchema), load_default=list)
    deadlines = fields.Nested(DeadlinesSchema)
    ladder = fields.List(fields.Nested(LadderStepSchema), load_default=list)


def flatten(errors: Any, path: str = "") -> list[tuple[str, str]]:
    """Turn marshmallow's nested error dict into (yaml path, message) pairs."""
    if isinstance(errors, list):
        return [(path or "(root)", str(message).rstrip(".").lower()) for message in errors]
    out: list[tuple[str, str]] = []
    for key, value in errors.items():
        if isinstance(key, int):
            child = f"{path}[{key}]"
        elif key == "_schema":
            child = path
        else:
            child = f"{path}.{key}" if path else str(key)
        out.extend(flatten(value, child))
    return out
