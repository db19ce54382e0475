"""The edge: request bodies capped, and every text a request carries checked by workflow.text."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from typing import Any, TypeVar, cast

from flask import Flask, current_app, request
from flask_babel import gettext as _
from flask_smorest import abort
from werkzeug.datastructures import ImmutableMultiDict, MultiDict

from web.i18n import message
from workflow.text import problem

_Values = TypeVar("_Values", bound=MultiDict[str, str])
MAX_ERRORS = 20  # no answer lists more field errors than this
DEFAULTS = {"MAX_JSON_BYTES": 1024 * 1024, "MAX_JSON_DEPTH": 32, "MAX_JSON_ITEMS": 1000}


def init_app(app: Flask) -> None:
    """Register first, so that no other hook reads a body before it is capped."""
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    app.before_request(_cap_body)


def init_text_check(app: Flask) -> None:
    """Register after the login check: an anonymous request's body is never parsed for it."""
    app.before_request(check_text)


def check_text() -> None:
    """Refuse (422, naming each field) any text the rule refuses; normalise query and form."""
    if any(isinstance(v, str) and problem(v) for v in (request.view_args or {}).values()):
        abort(404)  # no resource is named with such text
    errors: dict[str, str] = {}
    for name, value, multiline in _texts():
        refused = problem(str(value or ""), multiline=multiline)
        if refused is not None and name not in errors:
            errors[name] = message(refused)
            if len(errors) > MAX_ERRORS:
                break
    if errors:
        errors = truncated(errors)
        summary = _("Some fields are not valid.")
        if not request.path.startswith("/api/"):  # the error page shows no field list: name them
            summary += " " + " ".join(f"{k}: {v}" for k, v in errors.items())
        abort(422, message=summary, errors=errors)
    _normalise_args_and_form()


def truncated(errors: dict[str, Any]) -> dict[str, Any]:
    """At most MAX_ERRORS field errors, and a note saying how many more there were."""
    if len(errors) <= MAX_ERRORS:
        return errors
    kept = dict(list(errors.items())[:MAX_ERRORS])
    kept["_more"] = _("More fields are not valid: only the first %(n)d are listed.",
                      n=MAX_ERRORS)
    return kept


def _cap_body() -> None:
    """Only multipart uploads may use MAX_CONTENT_LENGTH; every other body stops at MAX_JSON_BYTES."""
    if request.mimetype == "multipart/form-data":
        return
    cap = current_app.config["MAX_JSON_BYTES"]
    request.max_content_length = cap  # also limits a body sent without Content-Length
    if request.content_length is not None and request.content_length > cap:
        abort(413, message=_("The request body is too large (at most %(n)d bytes).", n=cap))


def _texts() -> Iterator[tuple[str, str, bool]]:
    """(field name, text, may span lines) for every text in the query, form and JSON body."""
    for name, value in request.args.items(multi=True):
        yield _name(name), name, False
        yield _name(name), value, False
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        for name, value in request.form.items(multi=True):
            yield _name(name), name, False
            yield _name(name), value, True
        for name, storage in request.files.items(multi=True):
            yield _name(name), storage.filename or "", False
    if request.is_json and request.content_length != 0:
        yield from _json_texts(_load_json(), "")


def _load_json() -> Any:
    raw = request.get_data(cache=True)
    if not raw:
        return None
    try:
        data = json.loads(raw)
    except RecursionError:
        abort(400, message=_too_deep())
    except ValueError:
        abort(400, message=_("The request body is not valid JSON."))
    _check_shape(data)
    return data


def _check_shape(data: Any) -> None:
    """Refuse JSON nested deeper than MAX_JSON_DEPTH or with more than MAX_JSON_ITEMS members."""
    max_depth, max_items = (current_app.config[k] for k in ("MAX_JSON_DEPTH", "MAX_JSON_ITEMS"))
    stack, items = [(data, 0)], 0
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth >= max_depth:
                abort(400, message=_too_deep())
            items += len(value)
            if items > max_items:
                abort(413, message=_("The request body has too many fields (at most %(n)d).",
                                     n=max_items))
            members = value.values() if isinstance(value, dict) else value
            stack.extend((member, depth + 1) for member in members)


def _too_deep() -> str:
    return str(_("The request body is nested too deeply (at most %(n)d levels).",
                 n=current_app.config["MAX_JSON_DEPTH"]))


def _json_texts(value: Any, path: str) -> Iterator[tuple[str, str, bool]]:
    if isinstance(value, str):
        yield path or "_", value, True
    elif isinstance(value, dict):
        for key, member in value.items():
            inner = f"{path}.{_name(key)}" if path else _name(key)
            yield inner, key, False
            yield from _json_texts(member, inner)
    elif isinstance(value, list):
        for index, member in enumerate(value):
            yield from _json_texts(member, f"{path}[{index}]")


def _name(name: object) -> str:
    """A field name safe to show back: refused characters as escapes."""
    name = str(name or "")
    if problem(name) is None:
        return name
    return name.encode("unicode_escape").decode("ascii")


def _normalise_args_and_form() -> None:
    """Query and form values in NFC, so every page sees normalised text (JSON: the schemas)."""
    request.args = _nfc(request.args)
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        request.form = _nfc(request.form)


def _nfc(values: _Values) -> _Values:
    original = list(values.items(multi=True))
    pairs = [(k, unicodedata.normalize("NFC", v)) for k, v in original]
    return values if pairs == original else cast(_Values, ImmutableMultiDict(pairs))
