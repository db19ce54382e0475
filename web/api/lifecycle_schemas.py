"""The API's picture of a lifecycle definition: states, transitions, deadlines, the ladder."""

from __future__ import annotations

from datetime import date
from typing import Any

from marshmallow import Schema, fields

from web.api.schemas import TransitionOut
from web.forms import field_out
from web.i18n import lang
from workflow.spec.model import Lifecycle


class DeadlinesOut(Schema):
    basis = fields.Str(metadata={"description": "working (China's calendar) or calendar days"})
    rectify = fields.Dict(keys=fields.Str(), values=fields.Int(),
                          metadata={"description": "default due date in days, by severity"})
    acknowledge = fields.Int(allow_none=True)
    review = fields.Int(allow_none=True)
    lookback = fields.Int(allow_none=True)


class LadderStepOut(Schema):
    name = fields.Str()
    label = fields.Str()
    clock = fields.Str(metadata={"description": "acknowledge, rectify, review or lookback"})
    at = fields.Int(metadata={"description": "days after the clock's date (before it if < 0)"})
    notify = fields.List(fields.Str())
    level = fields.Int()
    accountability = fields.Bool()


class LifecycleOut(Schema):
    name = fields.Str()
    version = fields.Int()
    title = fields.Str()
    initial = fields.Str()
    digest = fields.Str()
    raise_roles = fields.List(fields.Str())
    states = fields.List(fields.Dict())
    transitions = fields.List(fields.Nested(TransitionOut))
    deadlines = fields.Nested(DeadlinesOut)
    ladder = fields.List(fields.Nested(LadderStepOut))
    mermaid = fields.Str()


def lifecycle_out(lc: Lifecycle, today: date, diagram: str) -> dict[str, Any]:
    code = lang()
    return {
        "name": lc.name, "version": lc.version, "title": lc.label(code), "initial": lc.initial,
        "digest": lc.digest, "raise_roles": list(lc.raise_roles),
        "states": [{"name": s.name, "label": s.label(code), "final": s.final} for s in lc.states],
        "transitions": [
            {"trigger": t.trigger, "label": t.label(code), "dest": t.dest,
             "sources": list(t.sources), "roles": list(t.roles),
             "fields_": [field_out(f, today) for f in t.fields]}
            for t in lc.transitions
        ],
        "deadlines": {"basis": lc.deadlines.basis, "rectify": dict(lc.deadlines.rectify),
                      "acknowledge": lc.deadlines.acknowledge, "review": lc.deadlines.review,
                      "lookback": lc.deadlines.lookback},
        "ladder": [{"name": s.name, "label": s.label(code), "clock": s.clock, "at": s.at,
                    "notify": list(s.notify), "level": s.level,
                    "accountability": s.accountability} for s in lc.ladder],
        "mermaid": diagram,
    }
