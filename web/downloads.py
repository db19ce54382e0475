"""File answers shared by pages and API: DOCX documents under a safe Content-Disposition."""

from __future__ import annotations

import re
from urllib.parse import quote

from flask import Response

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_NOT_PLAIN = re.compile(r"[^A-Za-z0-9._-]+")


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """`attachment; filename="<ASCII>"; filename*=UTF-8''<percent-encoded>` (RFC 6266 / 5987):
    the ASCII name for old clients, the real (Chinese) name for every browser since 2012."""
    stem, dot, extension = filename.rpartition(".")
    plain = _NOT_PLAIN.sub("-", stem).strip("-.") or "document"
    fallback = f"{plain}{dot}{extension}" if dot else plain
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def docx_response(filename: str, data: bytes) -> Response:
    response = Response(data, mimetype=DOCX)
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
