"""Official documents as DOCX: rectification notice, closure confirmation, letter, a campaign's
findings list; the same services, templates and scope as the pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from web.api.schemas import ApiError
from web.auth import actor
from web.downloads import DOCX, docx_response
from web.i18n import lang
from web.uow import get_uow
from workflow.services import documents

PREFIX = ""
blp = Blueprint("api_documents", __name__,
                description="Official documents (整改通知书, 提醒函, 销号确认单, 问题清单) as DOCX, "
                            "filled from the organisation's templates")
F = TypeVar("F", bound=Callable[..., Any])
BINARY = {"type": "string", "format": "binary"}
_TEMPLATE_BROKEN = "The organisation's template cannot be used (the message names the file)"


class DocumentArgs(Schema):
    lang = fields.Str(validate=validate.OneOf(["zh", "en"]), metadata={
        "description": "The document's language (zh or en); default: the caller's language"})


def documented(conflict: str = _TEMPLATE_BROKEN) -> Callable[[F], F]:
    """The decorators of every document endpoint: ?lang=, a DOCX answer, 404, 409."""
    def decorate(view: F) -> F:
        for decorator in (blp.alt_response(409, schema=ApiError, description=conflict),
                          blp.alt_response(404, schema=ApiError),
                          blp.response(200, content_type=DOCX,
                                       description="The document (Content-Disposition names it)"),
                          blp.doc(responses={"200": {"content": {DOCX: {"schema": BINARY}}}}),
                          blp.arguments(DocumentArgs, location="query")):
            view = decorator(view)
        return view
    return decorate


def _docx(args: dict[str, Any]) -> dict[str, Any]:
    """The arguments every document service takes besides the record's id."""
    return {"uow": get_uow(), "actor": actor(), "lang": args.get("lang") or lang()}


@blp.route("/findings/<int:finding_id>/documents/notice.docx")
class NoticeDocument(MethodView):
    @documented()
    def get(self, args: dict[str, Any], finding_id: int) -> Response:
        """The rectification notice (整改通知书) to the finding's unit: the finding, the
        requirement and the due date, from the body that raised it."""
        return docx_response(*documents.notice_document(finding_id=finding_id, **_docx(args)))


@blp.route("/findings/<int:finding_id>/documents/closure.docx")
class ClosureDocument(MethodView):
    @documented("The finding is not confirmed and closed, or the template cannot be used")
    def get(self, args: dict[str, Any], finding_id: int) -> Response:
        """The closure confirmation (销号确认单) of a confirmed and closed finding: the review
        conclusion, who closed it and when, and the evidence list (name, size, sha256 prefix)."""
        return docx_response(*documents.closure_document(finding_id=finding_id, **_docx(args)))


@blp.route("/letters/<int:letter_id>/document.docx")
class LetterDocument(MethodView):
    @documented()
    def get(self, args: dict[str, Any], letter_id: int) -> Response:
        """A letter (提醒函) as sent: number, issuing body, addressees, subject, text, reply due
        date; for the issuing body's and the addressees' subtrees."""
        return docx_response(*documents.letter_document(letter_id=letter_id, **_docx(args)))


@blp.route("/campaigns/<int:campaign_id>/documents/list.docx")
class CampaignListDocument(MethodView):
    @documented()
    def get(self, args: dict[str, Any], campaign_id: int) -> Response:
        """A campaign's findings list (问题清单) as of today: the campaign's findings you may see,
        with code, unit, title, severity, due date, state and closing date."""
        return docx_response(*documents.campaign_list_document(campaign_id=campaign_id,
                                                               **_docx(args)))
