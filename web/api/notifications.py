"""Your notifications (the bell): newest first, paged, each in your language, and marking them
read. Only your own: another user's ids answer as ids that do not exist."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate, validates_schema
from marshmallow import ValidationError as SchemaError

from web.api.schemas import ApiError, id_field
from web.auth import actor
from web.i18n import lang
from web.uow import get_uow
from workflow.messages import anchor_of, render
from workflow.models import Notification
from workflow.services import inbox

PREFIX = "/notifications"
blp = Blueprint("api_notifications", __name__, description="Your notifications (the bell)")


class NotificationArgs(Schema):
    cursor = id_field(query=True, metadata={"description": "next_cursor of the page before"})
    limit = fields.Int(load_default=20, validate=validate.Range(min=1, max=inbox.MAX_LIMIT))


class NotificationOut(Schema):
    id = fields.Int()
    kind = fields.Str(metadata={"description": "transition, ladder, mention or digest"})
    subject = fields.Str()
    text = fields.Str()
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)
    finding_id = fields.Int(allow_none=True, metadata={
        "description": "The finding, while you may still see it (else null)"})
    url = fields.Str(allow_none=True)
    params = fields.Dict(metadata={"description": "The message's facts, as written"})


class NotificationPage(Schema):
    items = fields.List(fields.Nested(NotificationOut))
    next_cursor = fields.Str(allow_none=True)
    unread = fields.Int()


class JsonBool(fields.Bool):
    """JSON true or false only (not 0, 1 or "yes")."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class ReadRequest(Schema):
    ids = fields.List(id_field(), validate=validate.Length(min=1, max=inbox.MAX_IDS),
                      metadata={"description": "Your notifications to mark read"})
    all = JsonBool(load_default=False, metadata={"description": "Mark all of yours read"})

    @validates_schema
    def _one_of(self, data: dict[str, Any], **kwargs: Any) -> None:
        if bool(data.get("ids")) == bool(data.get("all")):
            raise SchemaError("Send either ids or all: true.", "ids")


class ReadResult(Schema):
    marked = fields.Int(metadata={"description": "How many were unread and are now read"})
    unread = fields.Int()


def notification_out(note: Notification, visible: frozenset[int]) -> dict[str, Any]:
    subject, text = render(note.kind, note.params, lang())
    shown = note.finding_id if note.finding_id in visible else None
    return {"id": note.id, "kind": note.kind, "subject": subject, "text": text,
            "created_at": note.created_at, "read_at": note.read_at, "finding_id": shown,
            "url": url_for("pages.finding_page", finding_id=shown,
                           _anchor=anchor_of(note.params)) if shown else None,
            "params": note.params if shown else {}}


@blp.route("")
class Notifications(MethodView):
    @blp.arguments(NotificationArgs, location="query")
    @blp.response(200, NotificationPage)
    @blp.alt_response(422, schema=ApiError)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Your notifications, newest first; pass `next_cursor` back as `cursor`."""
        page = inbox.inbox(get_uow().session, actor(), args.get("cursor"), args["limit"])
        return {"items": [notification_out(n, page.visible) for n in page.items],
                "next_cursor": page.next_cursor, "unread": page.unread}


@blp.route("/read")
class NotificationsRead(MethodView):
    @blp.arguments(ReadRequest)
    @blp.response(200, ReadResult)
    @blp.alt_response(404, schema=ApiError, description="An id that is not one of yours")
    @blp.alt_response(422, schema=ApiError)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Mark your notifications read: `ids`, or `all: true`. An id that is not yours (or
        does not exist) answers 404 and changes nothing."""
        uow, user = get_uow(), actor()
        ids = None if data.get("all") else list(data["ids"])
        marked = inbox.mark_read(uow, user, ids)
        return {"marked": marked, "unread": inbox.unread_count(uow.session, user)}
