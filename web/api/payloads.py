"""Each transition's payload in the OpenAPI document, built at start-up from its declared fields."""

from __future__ import annotations

from typing import Any

from apispec import APISpec

from workflow.spec import Registry
from workflow.spec.model import FieldSpec, Lifecycle, TransitionSpec

_DIGITS = {"type": "string", "pattern": "^[0-9]{1,10}$"}


def field_schema(spec: FieldSpec) -> dict[str, Any]:
    """One declared field as JSON schema; date limits relative to today go in x-min-days /
    x-max-days (and the finding's GET answers them as absolute dates)."""
    out: dict[str, Any] = {"description": f"{spec.en} ({spec.zh})"}
    if spec.type == "text":
        out.update(type="string", minLength=spec.min_length, maxLength=spec.max_length)
    elif spec.type == "date":
        out.update({"type": "string", "format": "date", "x-min-days": spec.min_days,
                    "x-max-days": spec.max_days})
    elif spec.type == "choice":
        out.update(type="string", enum=[c.value for c in spec.choices])
    elif spec.type == "unit":
        out.update({"anyOf": [{"type": "integer", "minimum": 1}, _DIGITS],
                    "x-unit-scope": spec.unit_scope, "description": f"{spec.en} ({spec.zh}): a unit id"})
    elif spec.type == "number":
        number = {"type": "integer" if spec.integer else "number", "minimum": spec.minimum,
                  "maximum": spec.maximum}
        out.update(anyOf=[{k: v for k, v in number.items() if v is not None}, _DIGITS])
    else:  # files: sha256 of evidence uploaded through POST /attachments
        out.update(type="array", items={"type": "string", "pattern": "^[0-9a-f]{64}$"},
                   minItems=spec.min_count, maxItems=spec.max_count)
    return {k: v for k, v in out.items() if v is not None}


def payload_schema(lifecycle: Lifecycle, transition: TransitionSpec) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object", "additionalProperties": False,
        "title": f"{lifecycle.key} {transition.trigger}",
        "description": f"Payload of '{transition.trigger}' ({transition.en}) in {lifecycle.key}, "
                       f"from {', '.join(transition.sources)}",
        "properties": {f.name: field_schema(f) for f in transition.fields},
    }
    required = [f.name for f in transition.fields if f.required]
    if required:
        schema["required"] = required
    return schema


def payload_name(lifecycle: Lifecycle, transition: TransitionSpec) -> str:
    """Component name, e.g. standard.v1.assign (a trigger declared twice: .from_<source>)."""
    name = f"{lifecycle.name}.v{lifecycle.version}.{transition.trigger}"
    twice = sum(t.trigger == transition.trigger for t in lifecycle.transitions) > 1
    return f"{name}.from_{transition.sources[0]}" if twice else name


def document_payloads(spec: APISpec, registry: Registry, request_schema: str) -> None:
    """A component per transition of every loaded definition; the request's `payload` is any of
    them (the one named after the finding's lifecycle, version and the trigger in the path)."""
    refs = []
    for lifecycle in registry.all():
        for transition in lifecycle.transitions:
            name = payload_name(lifecycle, transition)
            spec.components.schema(name, component=payload_schema(lifecycle, transition))
            refs.append({"$ref": f"#/components/schemas/{name}"})
    payload = spec.components.schemas[request_schema]["properties"]["payload"]
    payload.clear()
    payload.update(anyOf=refs, description=(
        "The transition's fields: the component named <lifecycle>.v<version>.<trigger> for the "
        "finding's lifecycle and version (GET /findings/{id} lists what you may fire now)."))
