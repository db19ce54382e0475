"""Letters (提醒函 and other correspondence): list, send, read, and an addressee's reply."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from web.api.schemas import ApiError, AttachmentOut, UnitRef, id_field
from web.auth import actor
from web.i18n import lang
from web.uow import get_uow
from workflow.models import Letter, LetterAddressee
from workflow.services.letter_input import LETTER_KINDS, MAX_ADDRESSEES
from workflow.services.letter_scope import STATES, get_letter, letters, reply_files, state_of
from workflow.services.letters import reply_to_letter, send_letter

PREFIX = "/letters"
blp = Blueprint("api_letters", __name__, description="Letters (提醒函): numbered, with replies")


class LetterArgs(Schema):
    state = fields.Str(validate=validate.OneOf(STATES), metadata={
        "description": "replied: every addressee answered; overdue: an answer is late; "
                       "pending: waiting, none late"})
    body = id_field(query=True, metadata={"description": "Issuing body (and the units below)"})
    campaign = id_field(query=True)
    finding = id_field(query=True)
    page = fields.Int(load_default=1, validate=validate.Range(min=1, max=10_000))


class LetterCreate(Schema):
    subject = fields.Str(required=True, metadata={"description": "One line, at most 300"})
    text = fields.Str(required=True, metadata={"description": "At most 8000 characters"})
    addressees = fields.List(id_field(), required=True,
                             metadata={"description": f"1 to {MAX_ADDRESSEES} unit ids"})
    reply_due_date = fields.Str(load_default=None, allow_none=True, metadata={
        "description": "YYYY-MM-DD, today to one year ahead; default: 5 working days"})
    finding = id_field(load_default=None, allow_none=True)
    campaign = id_field(load_default=None, allow_none=True)
    kind = fields.Str(load_default="reminder", metadata={"enum": list(LETTER_KINDS)})


class ReplyCreate(Schema):
    text = fields.Str(required=True, metadata={"description": "At most 8000 characters; final"})
    attachments = fields.List(fields.Str(), load_default=list, metadata={
        "description": "sha256 of files you uploaded (POST /api/v1/attachments), at most 10"})


class AddresseeOut(Schema):
    id = fields.Int()
    unit = fields.Nested(UnitRef)
    replied = fields.Bool()
    replied_on = fields.Date(allow_none=True)
    reply_text = fields.Str()
    replied_by = fields.Str(allow_none=True)
    attachments = fields.List(fields.Nested(AttachmentOut))


class LetterOut(Schema):
    id = fields.Int()
    number = fields.Str(metadata={"description": "e.g. 苏纪提〔2026〕12号"})
    kind = fields.Str()
    kind_label = fields.Str()
    issued_on = fields.Date()
    body = fields.Nested(UnitRef, metadata={"description": "The issuing body"})
    subject = fields.Str()
    text = fields.Str()
    reply_due_date = fields.Date(allow_none=True)
    state = fields.Str(metadata={"enum": list(STATES)})
    finding_id = fields.Int(allow_none=True)
    campaign_id = fields.Int(allow_none=True)
    addressees = fields.List(fields.Nested(AddresseeOut))


class LetterPageOut(Schema):
    items = fields.List(fields.Nested(LetterOut))
    total = fields.Int()
    page = fields.Int()
    pages = fields.Int()


def addressee_out(addressee: LetterAddressee) -> dict[str, Any]:
    files = reply_files(get_uow().session, addressee)
    return {"id": addressee.id, "unit": addressee.unit, "replied": addressee.replied_at is not None,
            "replied_on": addressee.replied_on, "reply_text": addressee.reply_text,
            "replied_by": addressee.replied_by.display_name if addressee.replied_by else None,
            "attachments": [dict(sha256=a.sha256, size=a.size, media_type=a.media_type,
                                 original_name=a.original_name,
                                 url=url_for("api_attachments.AttachmentItem", sha256=a.sha256))
                            for a in files]}


def letter_out(letter: Letter) -> dict[str, Any]:
    zh, en = LETTER_KINDS.get(letter.kind, (letter.kind, letter.kind))
    data = {name: getattr(letter, name) for name in (
        "id", "number", "kind", "issued_on", "body", "subject", "text", "reply_due_date",
        "finding_id", "campaign_id")}
    return dict(data, kind_label=zh if lang() == "zh" else en,
                state=state_of(letter, get_uow().today()),
                addressees=[addressee_out(a) for a in letter.addressees])


@blp.route("")
class Letters(MethodView):
    @blp.arguments(LetterArgs, location="query")
    @blp.response(200, LetterPageOut)
    @blp.alt_response(422, schema=ApiError)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """The letters you see (sent by a body in your subtree, or addressed to one), newest
        first, 50 a page."""
        uow = get_uow()
        page = letters(uow.session, actor(), args, uow.today(), args.get("page", 1))
        return {"items": [letter_out(x) for x in page.items], "total": page.total,
                "page": page.page, "pages": page.pages}

    @blp.arguments(LetterCreate)
    @blp.response(201, LetterOut)
    @blp.alt_response(403, schema=ApiError)
    @blp.alt_response(422, schema=ApiError)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Send a letter from your unit (supervisors, inspectors), numbered per body and year;
        from a finding (its inspecting side or lead body) or a campaign (its organiser)."""
        letter = send_letter(get_uow(), actor(), data["subject"], data["text"],
                             data["addressees"], data["reply_due_date"], data["finding"],
                             data["campaign"], data["kind"])
        return letter_out(letter)


@blp.route("/<int:letter_id>")
class LetterItem(MethodView):
    @blp.response(200, LetterOut)
    @blp.alt_response(404, schema=ApiError)
    def get(self, letter_id: int) -> dict[str, Any]:
        """One letter with every addressee's reply."""
        return letter_out(get_letter(get_uow().session, actor(), letter_id))


@blp.route("/<int:letter_id>/replies")
class LetterReplies(MethodView):
    @blp.arguments(ReplyCreate)
    @blp.response(201, AddresseeOut)
    @blp.alt_response(403, schema=ApiError)
    @blp.alt_response(404, schema=ApiError)
    @blp.alt_response(422, schema=ApiError)
    def post(self, data: dict[str, Any], letter_id: int) -> dict[str, Any]:
        """Your unit's reply (its handlers and supervisors), once: a reply is final."""
        addressee = reply_to_letter(get_uow(), actor(), letter_id, data["text"],
                                    data["attachments"])
        return addressee_out(addressee)
