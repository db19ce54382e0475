"""Units: add one, or edit its code, names, kind and document-number prefix (admin); kinds are
the declared ones (unit_kinds.yaml, workflow.unit_kinds). Moving: unit_move.py; deactivating:
unit_status.py. Every change is written to the admin log (admin_log.py).

`add_unit` and `edit_unit` are what pages, API and CLI call: each checks who may, validates
every field at once (InvalidInput, zh and en) and commits. `create_unit` writes trusted data
(demo, fixtures) without those checks and leaves the commit to its caller."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.errors import Forbidden, InvalidInput
from workflow.models import Unit, User
from workflow.services.admin_log import record
from workflow.services.form_check import Errors, checked, commit, refuse
from workflow.services.permissions import require
from workflow.services.scope import unit_in_scope
from workflow.spec.model import FieldSpec
from workflow.unit_kinds import UnitKinds

if TYPE_CHECKING:
    from workflow.runtime import UnitOfWork

CODE = re.compile(r"[A-Za-z0-9_.-]{1,64}")
PREFIX_MAX = 32  # the column's width
UNIT_FIELDS = (
    FieldSpec("code", "text", "单位代码", "Code", required=True, max_length=64),
    FieldSpec("name_zh", "text", "中文名称", "Name (Chinese)", required=True, max_length=200),
    FieldSpec("name_en", "text", "英文名称", "Name (English)", max_length=200),
    FieldSpec("kind", "text", "类型", "Kind", required=True, max_length=200),
    FieldSpec("doc_prefix", "text", "文号前缀", "Document-number prefix", max_length=PREFIX_MAX),
    FieldSpec("parent_id", "unit", "上级单位", "Parent unit"),
)
EDITABLE = ("code", "name_zh", "name_en", "kind", "doc_prefix")  # the place in the tree: a move
_CODE_TAKEN = {"zh": "单位代码已存在。", "en": "A unit with this code already exists."}


def create_unit(session: Session, code: str, name_zh: str, name_en: str, kind: str,
                parent: Unit | None = None, doc_prefix: str = "") -> Unit:
    """Write a unit from trusted data (no authorization); the caller commits."""
    if _code_taken(session, code):
        raise InvalidInput({"code": _CODE_TAKEN})
    unit = Unit(code=code, name_zh=name_zh, name_en=name_en, kind=kind, doc_prefix=doc_prefix,
                parent_id=parent.id if parent else None, path="", active=True)
    session.add(unit)
    session.flush()
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    return unit


def add_unit(uow: UnitOfWork, actor: User, data: Mapping[str, Any]) -> Unit:
    """Add a unit of a declared kind (see permissions.RULES); every field checked; commits."""
    require(actor, "add_unit")
    values, errors = checked(uow, actor, UNIT_FIELDS, data)
    errors.update(_code_errors(uow.session, values.get("code")))
    errors.update(_meaning_errors(uow.unit_kinds, values))
    refuse(errors)
    unit = create_unit(uow.session, values["code"], values["name_zh"],
                       values.get("name_en") or values["name_zh"], values["kind"],
                       values.get("parent_id"), values.get("doc_prefix", ""))
    record(uow.session, actor, "add", unit, {"new": _facts(unit)})
    commit(uow, {"code": _CODE_TAKEN})
    return unit


def edit_unit(uow: UnitOfWork, actor: User, unit: Unit, data: Mapping[str, Any]) -> Unit:
    """Change the fields sent of EDITABLE (an English name or prefix sent empty: the Chinese
    name, no prefix; a code: one no other unit has, as import files name units by it); every
    field checked; written to the admin log; commits."""
    require(actor, "edit_unit")
    if not unit_in_scope(actor, unit):
        raise Forbidden(f"Unit {unit.code} is outside the actor's scope.")
    values, errors = checked(uow, actor, UNIT_FIELDS, data, only=EDITABLE)
    if values.get("code") != unit.code:
        errors.update(_code_errors(uow.session, values.get("code")))
    errors.update(_meaning_errors(uow.unit_kinds, values))
    refuse(errors)
    old = _facts(unit)
    for name in EDITABLE:
        if name in values:
            setattr(unit, name, values[name])
    if "doc_prefix" in data and "doc_prefix" not in values:
        unit.doc_prefix = ""
    if "name_en" in data and "name_en" not in values:
        unit.name_en = unit.name_zh
    new = _facts(unit)
    changed = [name for name in EDITABLE if old[name] != new[name]]
    if changed:
        record(uow.session, actor, "edit", unit, {"old": {k: old[k] for k in changed},
                                                   "new": {k: new[k] for k in changed}})
    commit(uow, {"code": _CODE_TAKEN})
    return unit


def _facts(unit: Unit) -> dict[str, str]:
    """The unit's editable fields, as the admin log writes them."""
    return {name: str(getattr(unit, name)) for name in EDITABLE}


def _code_taken(session: Session, code: str) -> bool:
    return session.scalar(select(Unit.id).where(Unit.code == code)) is not None


def _code_errors(session: Session, code: str | None) -> Errors:
    if code is not None and not CODE.fullmatch(code):
        return {"code": {"zh": "代码只能由字母、数字和 _ . - 组成（至多 64 位）。",
                         "en": "The code may use only letters, digits, _ . and - (at most 64 characters)."}}
    if code is not None and _code_taken(session, code):
        return {"code": _CODE_TAKEN}
    return {}


def _meaning_errors(kinds: UnitKinds, values: Mapping[str, Any]) -> Errors:
    """A kind the unit kinds file declares; a prefix of one line with no space inside."""
    errors: Errors = {}
    kind = values.get("kind")
    if kind is not None and kind not in kinds:
        errors["kind"] = {
            "zh": f"未声明的单位类型“{kind}”，应为以下之一：{'、'.join(k.zh for k in kinds)}。",
            "en": f"The unit kind '{kind}' is not declared. Choose one of: {', '.join(kinds.keys())}."}
    prefix = values.get("doc_prefix")
    if prefix is not None and any(char.isspace() for char in prefix):
        errors["doc_prefix"] = {"zh": "文号前缀须为一行，中间不能有空格。",
                                "en": "The document number prefix must be one line with no "
                                      "spaces, for example 苏纪提."}
    return errors
