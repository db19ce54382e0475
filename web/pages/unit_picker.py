"""The unit picker's JSON (type-ahead, tree browsing) and its no-script fallback: a unit code
typed in `<field>__code` becomes the field's id before the view reads the request (codes typed
in a several-unit picker's `<field>__codes` are added to the field's ids)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from flask import jsonify, request
from sqlalchemy import select
from sqlalchemy.orm import Session
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
CODES_SUFFIX = "__codes"  # a several-unit picker: codes separated by commas or spaces
_BETWEEN_CODES = re.compile(r"[\s,，、;；]+")


@bp.route("/units/pick")
def unit_picker_json():  # type: ignore[no-untyped-def]
    """Units for a picker: `purpose` (unit_offer), then `q` (typed text) or `parent` (a unit
    to open; `parent=` alone: the top of the tree; `offset`: its children from there, as
    `next_offset` said). 400 with the field's message otherwise."""
    uow = get_uow()
    next_offset = None
    try:
        offer = offer_for(uow, actor(), request.args.get("purpose"))
        if "parent" in request.args:
            choices, next_offset = child_units(uow.session, offer, request.args["parent"],
                                               request.args.get("offset"))
        else:
            choices = find_units(uow.session, offer, request.args.get("q", ""))
    except InvalidInput as exc:
        return jsonify(errors={k: message(v) for k, v in exc.errors.items()}), 400
    return jsonify(units=[_as_json(c) for c in choices], next_offset=next_offset)


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


def picked_units(purpose: str, values: Sequence[Any]) -> tuple[list[Unit], str]:
    """What a several-unit picker shows as chosen: the units among the page's values that its
    purpose offers (in the order given), and the values that are no id, as typed (codes)."""
    wanted = [as_id(v) for v in values]
    typed = " ".join(str(v) for v, i in zip(values, wanted, strict=True) if i is None and v)
    uow = get_uow()
    try:
        offer = offer_for(uow, actor(), purpose)
    except InvalidInput:
        return [], typed
    found = {u.id: u for u in uow.session.scalars(select(Unit).where(
        Unit.id.in_({i for i in wanted if i}), offer.visible()))}
    chosen = [found[i] for i in dict.fromkeys(wanted) if i in found and offer.selectable(i)]
    return chosen, typed


@bp.before_app_request
def _codes_to_ids() -> None:
    """Without script the picker is a text box `<name>__code`: a code typed there replaces
    `<name>` (an unknown code is passed on as typed, and the form refuses it)."""
    if request.path.startswith("/api/"):
        return
    for source in ("args", "form"):
        data = getattr(request, source)
        keys = [k for k in data if k.endswith((CODE_SUFFIX, CODES_SUFFIX))]
        if keys:
            setattr(request, source, _resolved(data, keys))


def _resolved(data: MultiDict[str, str], keys: list[str]) -> MultiDict[str, str]:
    resolved = MultiDict(data)
    session = get_uow().session
    for key in keys:
        if key.endswith(CODES_SUFFIX):
            _add_codes(session, resolved, key)
            continue
        code = resolved.pop(key, "").strip()
        unit_id = unit_id_for_code(session, code) if code else None
        resolved[key.removesuffix(CODE_SUFFIX)] = str(unit_id) if unit_id else code
    return resolved


def _add_codes(session: Session, resolved: MultiDict[str, str], key: str) -> None:
    """Each code typed in `<name>__codes` added to `<name>` as its unit's id (once), an
    unknown one as typed (the form names it)."""
    name = key.removesuffix(CODES_SUFFIX)
    for code in _BETWEEN_CODES.split(resolved.pop(key, "")):
        unit_id = unit_id_for_code(session, code) if code else None
        value = str(unit_id) if unit_id else code
        if value and value not in resolved.getlist(name):
            resolved.add(name, value)
