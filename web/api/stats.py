"""Statistics (the dashboard's figures) over the caller's scope, with the same filters."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from web.auth import actor
from web.i18n import lang
from web.pages.stats_view import breakdown_names
from web.uow import get_uow
from workflow.services.stats_args import StatsArgs, stats_query
from workflow.services.stats_figures import COUNTED, RATES
from workflow.services.stats_report import BREAKDOWNS, statistics, statistics_dict

PREFIX = "/stats"
blp = Blueprint("api_stats", __name__, description="Statistics that match the reports")


def _figure_fields() -> dict[str, fields.Field[Any]]:
    return {**{name: fields.Int() for name in COUNTED},
            **{name: fields.Float(allow_none=True) for name in RATES}}


FiguresOut = Schema.from_dict(_figure_fields(), name="FiguresOut")
KeyedFigures = Schema.from_dict({
    **_figure_fields(), "name": fields.Str(),
    "key": fields.Raw(allow_none=True, metadata={"description": "Unit id, campaign id, ..."})},
    name="KeyedFigures")


class SpreadOut(Schema):
    count = fields.Int()
    mean = fields.Float(allow_none=True, metadata={"description": "Days"})
    p90 = fields.Float(allow_none=True, metadata={"description": "Days, 90th percentile"})


class InspectionsOut(Schema):
    made = fields.Int()
    units = fields.Int(metadata={"description": "Distinct units inspected"})
    by_mode = fields.Dict(keys=fields.Str(), values=fields.Int())


class DwellOut(Schema):
    lifecycle = fields.Str()
    state = fields.Str()
    days = fields.Float(metadata={"description": "Days spent in the state, all findings"})
    findings = fields.Int()
    mean = fields.Float(allow_none=True)


class StatsOut(Schema):
    moment = fields.AwareDateTime(metadata={"description": "Now, or the as-of moment"})
    totals = fields.Nested(FiguresOut)
    by_unit = fields.List(fields.Nested(KeyedFigures))
    by = fields.Dict(keys=fields.Str(), values=fields.List(fields.Nested(KeyedFigures)),
                     metadata={"description": "Per " + ", ".join(BREAKDOWNS)})
    days_to_rectify = fields.Nested(SpreadOut)
    days_to_confirm = fields.Nested(SpreadOut)
    inspections = fields.Nested(InspectionsOut)
    time_in_states = fields.List(fields.Nested(DwellOut))
    trends = fields.Dict(keys=fields.Str(), values=fields.Dict(keys=fields.Str(),
                                                               values=fields.Int()))


@blp.route("")
class Stats(MethodView):
    @blp.arguments(StatsArgs, location="query")
    @blp.response(200, StatsOut)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Problems and suggestions apart, rates, days, inspections, time per state, trends."""
        uow = get_uow()
        query = stats_query(args, uow.registry, uow.now(), uow.zone)
        stats = statistics(uow.session, actor(), uow.registry, query, uow.now())
        out, names = statistics_dict(stats), breakdown_names(stats)
        for row, (unit, _n) in zip(out["by_unit"], stats.by_unit, strict=True):
            row["name"] = unit.name(lang())
        for key in BREAKDOWNS:
            for row in out["by"][key]:
                row["name"] = names[key][row["key"]]
        return out


