"""The global search (services.search): findings, units, people and letters matching a text."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from web.api.schemas import ApiError
from web.auth import actor
from web.uow import get_uow
from workflow.services.search import GROUP_LIMIT, MAX_QUERY, Group, search

PREFIX = "/search"
blp = Blueprint("api_search", __name__, description="Search across findings, units, people")


class SearchArgs(Schema):
    q = fields.Str(load_default="", metadata={
        "description": f"Text (at most {MAX_QUERY} characters): a finding code or a part of it, "
                       "words of a title or description, a unit's code or name, a username "
                       "or display name, a letter's number or subject"})


class Hit(Schema):
    id = fields.Int()
    label = fields.Str(metadata={"description": "Code, number or username"})
    text = fields.Str(metadata={"description": "Title, name, display name or subject"})


class HitGroup(Schema):
    items = fields.List(fields.Nested(Hit), metadata={"description": f"At most {GROUP_LIMIT}"})
    more = fields.Bool(metadata={"description": "Others match too: refine the text"})


class SearchOut(Schema):
    exact = fields.Nested(Hit, allow_none=True, metadata={
        "description": "The finding coded exactly q, when you may see it"})
    findings = fields.Nested(HitGroup)
    units = fields.Nested(HitGroup)
    people = fields.Nested(HitGroup)
    letters = fields.Nested(HitGroup)


def _hits(group: Group[Any], label: str, text: str) -> dict[str, Any]:
    return {"more": group.more, "items": [
        {"id": row.id, "label": getattr(row, label), "text": getattr(row, text)}
        for row in group.rows]}


@blp.route("")
class Search(MethodView):
    @blp.arguments(SearchArgs, location="query")
    @blp.response(200, SearchOut)
    @blp.alt_response(422, schema=ApiError)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """What matches q among what you may see, grouped; an empty q finds nothing."""
        found = search(get_uow(), actor(), args["q"])
        exact = found.exact
        return {"exact": exact and {"id": exact.id, "label": exact.code, "text": exact.title},
                "findings": _hits(found.findings, "code", "title"),
                "units": _hits(found.units, "code", "name_zh"),
                "people": _hits(found.people, "username", "display_name"),
                "letters": _hits(found.letters, "number", "subject")}
