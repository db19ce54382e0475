"""Evidence files: multipart upload (checked on the bytes) and in-scope download."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Response, request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from marshmallow import EXCLUDE, Schema, fields

from web.api.schemas import ApiError, AttachmentOut
from web.auth import actor
from web.forms import store_upload
from web.uow import get_uow
from workflow.attachments import download_name
from workflow.models import Attachment
from workflow.services.evidence import readable_attachment

PREFIX = "/attachments"
# Shown in the page (the evidence viewer) rather than downloaded: only what the upload check
# accepts as an image or a PDF; anything else, or ?download=1, is an attachment.
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf"})
# The file itself runs nothing and loads nothing; an image or a download is also sandboxed (a
# PDF is not: Chromium will not show a PDF in a sandboxed document) and may not be framed; a
# PDF may be framed by our own pages only (the viewer's inline preview).
FILE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
SANDBOXED_CSP = FILE_CSP + "; sandbox; frame-ancestors 'none'"
PDF_CSP = FILE_CSP + "; frame-ancestors 'self'"
blp = Blueprint("api_attachments", __name__, description="Evidence files (佐证材料)")


class UploadSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # other form fields are ignored, and documented as allowed

    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


def attachment_out(attachment: Attachment) -> dict[str, Any]:
    return {"sha256": attachment.sha256, "size": attachment.size,
            "media_type": attachment.media_type, "original_name": attachment.original_name,
            "url": url_for("api_attachments.AttachmentItem", sha256=attachment.sha256)}


@blp.route("")
class Attachments(MethodView):
    @blp.arguments(UploadSchema, location="files")
    @blp.response(201, AttachmentOut)
    @blp.alt_response(422, schema=ApiError)
    def post(self, files: dict[str, Any]) -> dict[str, Any]:
        """Upload one file (JPEG, PNG, GIF, WebP or PDF; size-capped). Use its sha256 in a
        transition's `files` field."""
        return attachment_out(store_upload(files["file"]))


@blp.route("/<sha256>")
class AttachmentItem(MethodView):
    @blp.response(200, content_type="application/octet-stream")
    @blp.alt_response(404, schema=ApiError)
    @blp.alt_response(409, schema=ApiError, description="The stored bytes no longer match")
    def get(self, sha256: str) -> Response:
        """Download a file you uploaded or that belongs to a finding in your scope. Served under
        its name with only the extension of the type its bytes are, and only while its bytes
        still hash to its sha256 (else 409, and the server logs it). Images and PDFs are served
        inline (`?download=1`: as an attachment), with `nosniff` and a CSP that runs nothing."""
        if len(sha256) != 64:
            abort(404)
        attachment = readable_attachment(get_uow().session, actor(), sha256)
        data = get_uow().store.read(attachment)
        response = Response(data, mimetype=attachment.media_type)
        response.headers.update(served_headers(attachment, request.args.get("download") == "1"))
        return response


def served_headers(attachment: Attachment, download: bool) -> dict[str, str]:
    """How a file goes out: inline (an image or a PDF not asked for as a download) or as a
    download under its safe name, never sniffed, under a CSP of its own (framable by our pages
    only when it is a PDF shown inline)."""
    inline = attachment.media_type in INLINE_TYPES and not download
    pdf = inline and attachment.media_type == "application/pdf"
    name = _quote(download_name(attachment.original_name, attachment.media_type))
    return {"Content-Disposition": f"{'inline' if inline else 'attachment'}; filename*=UTF-8''{name}",
            "X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=86400",
            "Content-Security-Policy": PDF_CSP if pdf else SANDBOXED_CSP,
            "X-Frame-Options": "SAMEORIGIN" if pdf else "DENY"}


def _quote(name: str) -> str:
    return quote(name, safe="")
