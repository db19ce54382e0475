"""A finding's discussion thread: read it, comment (with files and @mentions), edit your own
comment. Comments are events on the finding's hash chain: an edit keeps every earlier text."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from web.api.attachments import attachment_out
from web.api.schemas import ApiError, AttachmentOut, UnitRef
from web.auth import actor
from web.uow import get_uow
from workflow import services
from workflow.services.comments import (
    MAX_FILES,
    MAX_TEXT,
    Comment,
    add_comment,
    comment_of,
    edit_comment,
    thread,
)

PREFIX = "/findings"
blp = Blueprint("api_comments", __name__, description="Comments (讨论) on a finding")


class AuthorOut(Schema):
    username = fields.Str()
    display_name = fields.Str()
    unit = fields.Nested(UnitRef)


class VersionOut(Schema):
    at = fields.DateTime()
    text = fields.Str()


class CommentOut(Schema):
    seq = fields.Int(metadata={"description": "The comment's event on the finding's chain"})
    author = fields.Nested(AuthorOut)
    created_at = fields.DateTime()
    text = fields.Str(metadata={"description": "The current text"})
    edited = fields.Bool()
    versions = fields.List(fields.Nested(VersionOut), metadata={
        "description": "Every text the comment had, oldest first; the last is the current"})
    attachments = fields.List(fields.Nested(AttachmentOut))
    mentions = fields.List(fields.Str(), metadata={
        "description": "Usernames the current text mentions"})
    editable = fields.Bool(metadata={"description": "You wrote it: you may edit it"})


class CommentCreate(Schema):
    text = fields.Str(required=True, metadata={
        "description": f"1 to {MAX_TEXT} characters, lines allowed; `@username` notifies a "
                       "person who may see the finding (anyone else is refused)"})
    files = fields.List(fields.Str(), load_default=list, validate=validate.Length(max=MAX_FILES),
                        metadata={"description": "sha256 of your uploads (POST /attachments) "
                                                 "or of files already on the finding"})


class CommentEdit(Schema):
    text = fields.Str(required=True, metadata={"description": "The new text (not the current)"})


def comment_out(comment: Comment) -> dict[str, Any]:
    return {"seq": comment.seq, "author": comment.author, "created_at": comment.created_at,
            "text": comment.text, "edited": comment.edited, "mentions": comment.mentions,
            "versions": [{"at": at, "text": text} for at, text in comment.versions],
            "attachments": [attachment_out(a) for a in comment.attachments],
            "editable": comment.editable}


def _one(finding_id: int, seq: int) -> dict[str, Any]:
    session = get_uow().session
    finding = services.get_finding(session, actor(), finding_id)
    return comment_out(comment_of(session, actor(), finding, seq))


@blp.route("/<int:finding_id>/comments")
class Comments(MethodView):
    @blp.response(200, CommentOut(many=True))
    @blp.alt_response(404, schema=ApiError, description="No such finding in your scope")
    def get(self, finding_id: int) -> list[dict[str, Any]]:
        """The finding's comments, oldest first, each with its current text and every version."""
        session = get_uow().session
        finding = services.get_finding(session, actor(), finding_id)
        return [comment_out(c) for c in thread(session, actor(), finding)]

    @blp.arguments(CommentCreate)
    @blp.response(201, CommentOut)
    @blp.alt_response(404, schema=ApiError, description="No such finding in your scope")
    @blp.alt_response(422, schema=ApiError, description="Bad text or files, or a mention of "
                                                        "someone outside the finding's scope")
    def post(self, data: dict[str, Any], finding_id: int) -> dict[str, Any]:
        """Comment on a finding you may see, open or closed. People you @mention are notified."""
        seq = add_comment(get_uow(), actor(), finding_id, data["text"], data["files"])
        return _one(finding_id, seq)


@blp.route("/<int:finding_id>/comments/<int:seq>/edits")
class CommentEdits(MethodView):
    @blp.arguments(CommentEdit)
    @blp.response(201, CommentOut)
    @blp.alt_response(403, schema=ApiError, description="Not your comment")
    @blp.alt_response(404, schema=ApiError, description="No such finding or comment")
    @blp.alt_response(422, schema=ApiError, description="Bad or unchanged text")
    def post(self, data: dict[str, Any], finding_id: int, seq: int) -> dict[str, Any]:
        """Edit your own comment: a new version, recorded; the earlier texts stay readable.
        People the new text mentions for the first time are notified."""
        edit_comment(get_uow(), actor(), finding_id, seq, data["text"])
        return _one(finding_id, seq)
