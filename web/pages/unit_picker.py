"""The unit picker's JSON (type-ahead, tree browsing) and its no-script fallback: a unit code
typed in `<field>__code` becomes the field's id before the view reads the request."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from web.auth import actor
from web.i18n import lang, message
from web.pages import bp
from web.uow import get_uow
from workflow.errors import InvalidInput
from workflow.models import Unit
from workflow.services.unit_offer import offer_for
from workflow.services.unit_picker import Choice, child_units, find_units, unit_id_for_code
from workflow.text import as_id

CODE_SUFFIX = "__code"


@bp.route("/units/pick")
def unit_picker_json():  # type: ignore[no-untyped-def]
    """Units for a picker: `purpose` (unit_offer), then `q` (typed text) or `parent` (a unit
    to open; `parent=` alone: the top of the tree). 400 with the field's message otherwise."""
    uow = get_uow()
    try:
        offer = offer_for(uow, actor(), request.args.get("purpose"))
        if "parent" in request.args:
            choices = child_units(uow.session, offer, request.args["parent"])
        else:
            choices = find_units(uow.session, offer, request.args.get("q", ""))
    except InvalidInput as exc:
        return jsonify(errors={k: message(v) for k, v in exc.errors.items()}), 400
    return jsonify(units=[_as_json(c) for c in choices])


def _as_json(choice: Choice) -> dict[str, Any]:
    code = lang()
    return {"id": choice.id, "code": choice.code, "name": choice.name(code),
            "path": choice.path_text(code), "has_children": choice.has_children,
            "selectable": choice.selectable, "recent": choice.recent}


def picked_unit(purpose: str, value: Any) -> Unit | None:
    """The unit a picker shows as chosen (the page's value), if its purpose offers it."""
    unit_id = as_id(value if not isinstance(value, Unit) else value.id)
    if unit_id is None:
        return None
    uow = get_uow()
    try:
        offer = offer_for(uow, actor(), purpose)
    except InvalidInput:
        return None
    return uow.session.scalar(select(Unit).where(Unit.id == unit_id, offer.visible()))


@bp.before_app_request
def _codes_to_ids() -> None:
    """Without script the picker is a text box `<name>__code`: a code typed there replaces
    `<name>` (an unknown code is passed on as typed, and the form refuses it)."""
    if request.path.startswith("/api/"):
        return
    for source in ("args", "form"):
        data = getattr(request, source)
        keys = [k for k in data if k.endswith(CODE_SUFFIX)]
        if keys:
            setattr(request, source, _resolved(data, keys))


def _resolved(data: MultiDict[str, str], keys: list[str]) -> MultiDict[str, str]:
    resolved = MultiDict(data)
    session = get_uow().session
    for key in keys:
        code = resolved.pop(key, "").strip()
        unit_id = unit_id_for_code(session, code) if code else None
        resolved[key.removesuffix(CODE_SUFFIX)] = str(unit_id) if unit_id else code
    return resolved
