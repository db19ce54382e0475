"""The one place engine errors become HTTP answers: JSON under /api/, pages elsewhere."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from web.edge import truncated
from web.i18n import message
from workflow.errors import (
    DefinitionError,
    DocumentTemplateError,
    DocumentUnavailable,
    EvidenceCorrupt,
    Forbidden,
    GuardFailed,
    InvalidInput,
    NotInLifecycle,
    RectifyError,
    StaleFinding,
    StaleUnitTree,
    TransitionNotAllowed,
    UnknownFinding,
    UnknownLetter,
    UnknownLifecycle,
    UnknownNotification,
)

_STATUS = {404: "Not Found", 403: "Forbidden", 409: "Conflict", 422: "Unprocessable Entity",
           400: "Bad Request", 401: "Unauthorized", 405: "Method Not Allowed",
           413: "Payload Too Large", 428: "Precondition Required", 429: "Too Many Requests"}


def status_of(exc: RectifyError) -> int:
    if isinstance(exc, UnknownFinding | UnknownLetter | UnknownLifecycle | UnknownNotification):
        return 404
    if isinstance(exc, Forbidden):
        return 403
    if isinstance(exc, StaleFinding | TransitionNotAllowed | DefinitionError | EvidenceCorrupt
                  | DocumentTemplateError | DocumentUnavailable | StaleUnitTree):
        return 409
    return 422


def describe(exc: RectifyError) -> tuple[str, dict[str, str]]:
    """A message in the user's language, and per-field errors where there are some."""
    if isinstance(exc, InvalidInput):
        return _("Some fields are not valid."), {k: message(v) for k, v in exc.errors.items()}
    if isinstance(exc, GuardFailed):  # a guard that judged one field: that field's error
        text = message(exc.message)
        return text, ({exc.field: text} if exc.field else {})
    if isinstance(exc, EvidenceCorrupt):
        return _("This evidence file is damaged or missing on the server and is not served; "
                 "the administrators have been told."), {}
    if isinstance(exc, DocumentTemplateError | DocumentUnavailable | StaleUnitTree):
        return message(exc.message), {}
    if isinstance(exc, StaleFinding):
        return _("Someone else acted on this finding first: load it again and retry."), {}
    if isinstance(exc, NotInLifecycle):
        return _("This kind of finding has no such step."), {}
    if isinstance(exc, TransitionNotAllowed):
        allowed = ", ".join(exc.allowed) or _("none")
        return _("This action is not possible in the current state. Possible now: %(allowed)s.",
                 allowed=allowed), {}
    if isinstance(exc, UnknownFinding | UnknownLetter | UnknownLifecycle | UnknownNotification):
        return _("Not found."), {}
    if isinstance(exc, Forbidden):
        return (message(exc.reason) if exc.reason else _("Your role does not allow this action.")), {}
    return str(exc), {}


def json_error(code: int, msg: str, errors: dict[str, Any] | None = None,
               **extra: Any) -> tuple[Response, int]:
    body: dict[str, Any] = {"code": code, "status": _STATUS.get(code, "Error"), "message": msg}
    if errors:
        body["errors"] = truncated(errors)  # never a list as long as a hostile body
    body.update(extra)
    return jsonify(body), code


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _flatten_webargs(messages: Any) -> dict[str, str]:
    """webargs nests errors by location ({'json': {'title': ['...']}}): flatten to field → text."""
    out: dict[str, str] = {}

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict):
            for key, sub in value.items():
                walk(sub, f"{path}.{key}" if path else str(key))
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            out[path or "_"] = " ".join(_schema_message(v) for v in value)
        elif isinstance(value, list):
            for i, sub in enumerate(value):
                walk(sub, f"{path}[{i}]")
        else:
            out[path or "_"] = str(value)

    for location, fields in (messages or {}).items():
        walk(fields, "" if location in {"json", "form", "query", "files", "headers"} else location)
    return out


def _schema_message(text: str) -> str:
    """marshmallow's stock messages, in the user's language (ours are translated already)."""
    stock = {
        "Missing data for required field.": _("This field is required."),
        "Unknown field.": _("Unknown field."),
        "Field may not be null.": _("This field may not be empty."),
        "Not a valid integer.": _("Not a whole number."),
        "Not a valid number.": _("Not a number."),
        "Not a valid string.": _("Not a text."),
        "Not a valid boolean.": _("Not true or false."),
        "Not a valid date.": _("Not a date (YYYY-MM-DD)."),
        "Not a valid datetime.": _("Not a date and time."),
        "Not a valid list.": _("Not a list."),
        "Invalid input type.": _("Wrong type of value."),
    }
    return str(stock.get(text, text))


def init_app(app: Flask) -> None:
    @app.errorhandler(RectifyError)
    def _domain(exc: RectifyError):  # type: ignore[no-untyped-def]
        code = status_of(exc)
        msg, errors = describe(exc)
        if _wants_json():
            extra = {"allowed": exc.allowed} if isinstance(exc, TransitionNotAllowed) else {}
            return json_error(code, msg, errors, **extra)
        return render_template("error.html", code=code, message=msg, errors=errors), code

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):  # type: ignore[no-untyped-def]
        msg = _("The form expired or was not sent from this site. Reload the page and try again.")
        if _wants_json():
            return json_error(400, msg)
        return render_template("error.html", code=400, message=msg), 400

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):  # type: ignore[no-untyped-def]
        code = exc.code or 500
        data = getattr(exc, "data", None) or {}
        errors = _flatten_webargs(data.get("messages")) if "messages" in data else {}
        if isinstance(data.get("errors"), dict):  # abort(422, errors={field: text}) in a view
            errors.update({str(k): str(v) for k, v in data["errors"].items()})
        msg = data.get("message") or _default_message(code, exc)
        # Keep what the exception says besides its body: Allow on a 405, Retry-After, ...
        headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
        headers.update(data.get("headers") or {})
        if _wants_json():
            response, status = json_error(code, msg, errors)
            response.headers.update(headers)
            return response, status
        return render_template("error.html", code=code, message=msg), code, headers


def _default_message(code: int, exc: HTTPException) -> str:
    messages = {
        400: _("The request could not be understood."),
        401: _("Please log in."),
        403: _("You may not do this."),
        404: _("Not found."),
        405: _("This method is not allowed here."),
        413: _("The upload is too large."),
        422: _("Some fields are not valid."),
        429: _("Too many attempts. Wait a minute and try again."),
    }
    return str(messages.get(code, exc.description or exc.name))
