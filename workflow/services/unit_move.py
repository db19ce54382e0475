"""Moving a unit with its subtree under another parent (admin): a preview of what changes for
scope, computed before confirming, and the move, refused when the tree changed since the
preview (its fingerprint). Sight follows the tree (scope.py): the users of the units above
the subtree see its findings, so a move changes who sees them, never the findings themselves."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import String, func, literal, select, update
from sqlalchemy.orm import Session

from workflow.errors import Forbidden, InvalidInput, StaleUnitTree
from workflow.models import Unit, User
from workflow.services.admin_log import record
from workflow.services.permissions import require
from workflow.services.scope import unit_in_scope
from workflow.services.unit_sight import SubtreeFindings, subtree_findings, users_at
from workflow.text import as_id

if TYPE_CHECKING:
    from workflow.runtime import UnitOfWork

PATH_MAX = 512  # the column's width


@dataclass(frozen=True)
class MovePreview:
    """What a move would change: the subtree's units and findings, who gains sight of those
    findings (users at the new units above, not above before) and who loses it (users at the
    old units above, no longer above). Admins see everything either way and are not listed.
    `fingerprint` names the tree as previewed; the confirmation must send it back."""

    unit: Unit
    old_parent: Unit
    new_parent: Unit
    units_moved: int
    findings: SubtreeFindings
    gaining: list[User]
    losing: list[User]
    fingerprint: str


def _bad(zh: str, en: str) -> InvalidInput:
    return InvalidInput({"parent_id": {"zh": zh, "en": en}})


def _ancestors(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


def _new_parent(session: Session, actor: User, unit: Unit, raw: object) -> Unit:
    """The parent asked for, or why it cannot be one (a field error on parent_id)."""
    parent_id = as_id(raw)
    parent = session.get(Unit, parent_id) if parent_id is not None else None
    if parent is None or not unit_in_scope(actor, parent):
        raise _bad("请选择上级单位。", "Choose the new parent unit.")
    if parent.path.startswith(unit.path):
        raise _bad("不能移到本单位或其下级单位之下。", "A unit cannot move under itself or a unit below it.")
    if parent.id == unit.parent_id:
        raise _bad("该单位已在此上级单位之下。", "The unit is already under this parent.")
    if not parent.active:
        raise _bad("上级单位已停用。", "This parent unit is deactivated.")
    deepest = session.scalar(select(func.max(func.length(Unit.path)))
                             .where(Unit.path.startswith(unit.path, autoescape=True))) or 0
    if deepest - len(unit.path) + len(parent.path) + len(f"{unit.id}/") > PATH_MAX:
        raise _bad("移动后单位层级过深。", "The tree would be too deep under this parent.")
    return parent


def _movable(session: Session, actor: User, unit: Unit) -> Unit:
    """The unit's current parent; Forbidden without the role or outside the scope; the root
    (or any top unit) never moves."""
    require(actor, "move_unit")
    if not unit_in_scope(actor, unit):
        raise Forbidden(f"Unit {unit.code} is outside the actor's scope.")
    parent = session.get(Unit, unit.parent_id) if unit.parent_id is not None else None
    if parent is None:
        raise InvalidInput({"unit": {"zh": "最上级单位不能移动。", "en": "The top of the tree cannot move."}})
    return parent


def _fingerprint(session: Session, unit: Unit, parent: Unit) -> str:
    """sha256 of the tree as the move sees it: the subtree's ids, paths and flags, the old
    and new parent's places."""
    rows = session.execute(select(Unit.id, Unit.path, Unit.active).order_by(Unit.id)
                           .where(Unit.path.startswith(unit.path, autoescape=True)))
    facts: list[Any] = [unit.parent_id, parent.id, parent.path, parent.active]
    facts += [list(row) for row in rows]
    return hashlib.sha256(json.dumps(facts).encode()).hexdigest()


def preview_move(session: Session, actor: User, unit: Unit, parent_raw: object) -> MovePreview:
    """What moving the unit under the parent asked for would change, writing nothing."""
    old_parent = _movable(session, actor, unit)
    parent = _new_parent(session, actor, unit, parent_raw)
    old_above, new_above = set(_ancestors(old_parent.path)), set(_ancestors(parent.path))
    count = session.scalar(select(func.count()).select_from(Unit)
                           .where(Unit.path.startswith(unit.path, autoescape=True))) or 0
    return MovePreview(unit, old_parent, parent, count, subtree_findings(session, unit),
                       users_at(session, new_above - old_above),
                       users_at(session, old_above - new_above),
                       _fingerprint(session, unit, parent))


def _lock(session: Session, unit: Unit, parent_raw: object) -> None:
    """Lock the rows of the unit, the new parent and every unit above either, in id order,
    and reload them: two moves that could make a cycle together wait for each other
    (PostgreSQL; SQLite writers are serialised already)."""
    parent_id = as_id(parent_raw)
    parent = session.get(Unit, parent_id) if parent_id is not None else None
    ids = set(_ancestors(unit.path)) | set(_ancestors(parent.path) if parent else ())
    session.execute(select(Unit).where(Unit.id.in_(sorted(ids))).order_by(Unit.id)
                    .with_for_update().execution_options(populate_existing=True))


def move_unit(uow: UnitOfWork, actor: User, unit: Unit, data: Mapping[str, Any]) -> Unit:
    """Move the unit and its subtree under data['parent_id'] if the tree is still the one the
    preview showed (data['fingerprint']), else StaleUnitTree; every path rewritten in one
    statement; written to the admin log; commits."""
    session = uow.session
    _lock(session, unit, data.get("parent_id"))
    preview = preview_move(session, actor, unit, data.get("parent_id"))
    if data.get("fingerprint") != preview.fingerprint:
        raise StaleUnitTree(unit.code)
    old_path, new_path = unit.path, f"{preview.new_parent.path}{unit.id}/"
    session.execute(update(Unit).where(Unit.id == unit.id).values(parent_id=preview.new_parent.id))
    session.execute(update(Unit).where(Unit.path.startswith(old_path, autoescape=True))
                    .values(path=literal(new_path, String) + func.substr(Unit.path, len(old_path) + 1))
                    .execution_options(synchronize_session=False))
    record(session, actor, "move", unit, _move_details(preview, old_path, new_path))
    uow.commit()
    session.expire_all()
    return unit


def _move_details(preview: MovePreview, old_path: str, new_path: str) -> dict[str, Any]:
    return {"old": {"parent_id": preview.old_parent.id, "path": old_path},
            "new": {"parent_id": preview.new_parent.id, "path": new_path},
            "units": preview.units_moved, "findings_open": preview.findings.open,
            "findings_total": preview.findings.total,
            "gaining": [user.username for user in preview.gaining],
            "losing": [user.username for user in preview.losing]}

