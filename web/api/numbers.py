"""Dashboard numbers over the caller's scope."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from web.api.schemas import id_field
from web.auth import actor
from web.i18n import lang
from web.uow import get_uow
from workflow.services.letter_stats import LetterStats, letter_stats
from workflow.services.light import today_cutoff
from workflow.services.stats import dashboard

PREFIX = "/dashboard"
blp = Blueprint("api_dashboard", __name__, description="Numbers: rectification and on-time rates")


class NumbersOut(Schema):
    total = fields.Int()
    open = fields.Int()
    rectified = fields.Int()
    confirmed = fields.Int()
    overdue = fields.Int(metadata={"description": "Open and past the due date: the unit's delay"})
    review_overdue = fields.Int(metadata={
        "description": "Reported rectified, follow-up check (复查时限) late: the reviewer's delay"})
    acknowledge_overdue = fields.Int(metadata={"description": "Not acknowledged (签收) in time"})
    rework_rounds = fields.Int()
    due_and_rectified = fields.Int()
    on_time = fields.Int()
    rectification_rate = fields.Float(allow_none=True)
    on_time_rate = fields.Float(allow_none=True)


class UnitNumbers(NumbersOut):
    unit_id = fields.Int()
    unit = fields.Str()


class StateCount(Schema):
    lifecycle = fields.Str()
    state = fields.Str()
    count = fields.Int()


class LetterNumbersOut(Schema):
    sent = fields.Int()
    replied = fields.Int(metadata={"description": "Every addressee answered"})
    pending = fields.Int(metadata={"description": "Waiting for an answer, none late"})
    overdue = fields.Int(metadata={"description": "An addressee's answer is past the reply date"})


class BodyLetters(LetterNumbersOut):
    unit_id = fields.Int()
    unit = fields.Str()


class CampaignLetters(LetterNumbersOut):
    campaign_id = fields.Int()
    campaign = fields.Str()


class LettersOut(Schema):
    totals = fields.Nested(LetterNumbersOut)
    by_body = fields.List(fields.Nested(BodyLetters), metadata={"description": "Per issuing body"})
    by_campaign = fields.List(fields.Nested(CampaignLetters))


class DashboardOut(Schema):
    totals = fields.Nested(NumbersOut)
    by_state = fields.List(fields.Nested(StateCount))
    by_unit = fields.List(fields.Nested(UnitNumbers))
    by_category = fields.Dict(keys=fields.Str(), values=fields.Nested(NumbersOut))
    lights = fields.Dict(keys=fields.Str(), values=fields.Int(), metadata={
        "description": "Findings per traffic light (green, yellow, red), as the ledger's light filter"})
    red_levels = fields.Dict(keys=fields.Str(), values=fields.Int(),
                             metadata={"description": "The red ones per overdue level (1, 2, 3)"})
    letters = fields.Nested(LettersOut, metadata={
        "description": "Reminder letters (提醒函) you see: sent, replied, pending, overdue"})


class DashboardArgs(Schema):
    campaign = id_field(query=True)
    unit = id_field(query=True, metadata={"description": "Break down below this unit (in your scope)"})


@blp.route("")
class Dashboard(MethodView):
    @blp.arguments(DashboardArgs, location="query")
    @blp.response(200, DashboardOut)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Raised, rectified, confirmed, overdue, rates and rework, per unit below yours."""
        uow = get_uow()
        board = dashboard(uow.session, actor(), uow.today(), uow.registry, args.get("campaign"),
                          args.get("unit"), today_cutoff(uow))
        return {
            "totals": board.totals.as_dict(),
            "by_state": [{"lifecycle": lc, "state": st, "count": n}
                         for (lc, st), n in sorted(board.by_state.items())],
            "by_unit": [dict(numbers.as_dict(), unit_id=unit.id, unit=unit.name(lang()))
                        for unit, numbers in board.by_unit],
            "by_category": {k: v.as_dict() for k, v in board.by_category.items()},
            "lights": board.lights,
            "red_levels": {str(level): n for level, n in board.red_levels.items()},
            "letters": _letters(letter_stats(uow.session, actor(), uow.today(),
                                             args.get("campaign"))),
        }


def _letters(stats: LetterStats) -> dict[str, Any]:
    return {"totals": stats.totals.as_dict(),
            "by_body": [dict(n.as_dict(), unit_id=u.id, unit=u.name(lang()))
                        for u, n in stats.by_body],
            "by_campaign": [dict(n.as_dict(), campaign_id=c.id, campaign=c.name)
                            for c, n in stats.by_campaign]}
