"""What hangs on a unit or its subtree, counted for an admin before a move or a deactivation:
findings, users, active sub-units."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload

from workflow.models import Finding, FindingParty, Unit, User


@dataclass(frozen=True)
class SubtreeFindings:
    """Findings whose responsible unit lies in the subtree (total, open), those where a unit of
    the subtree is only a party, and those a body of the subtree raised (their raising body is
    recorded once and stays; who counts as above it follows the tree)."""

    total: int
    open: int
    as_party: int
    raised_here: int


def _subtree(unit: Unit) -> Select[Any]:
    return select(Unit.id).where(Unit.under(unit.path))


def _count(session: Session, query: Select[Any]) -> int:
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def subtree_findings(session: Session, unit: Unit) -> SubtreeFindings:
    """The findings that hang on the unit's subtree, counted."""
    own = select(Finding.id).where(Finding.unit_id.in_(_subtree(unit)))
    party = (select(FindingParty.finding_id).distinct()
             .where(FindingParty.unit_id.in_(_subtree(unit)),
                    FindingParty.finding_id.not_in(own)))
    return SubtreeFindings(
        total=_count(session, own), open=_count(session, own.where(Finding.is_open.is_(True))),
        as_party=_count(session, party),
        raised_here=_count(session, select(Finding.id)
                           .where(Finding.raised_by_unit_id.in_(_subtree(unit)))))


def users_at(session: Session, unit_ids: Collection[int]) -> list[User]:
    """Active users of these units who see by the tree (admins see everything: left out), by
    unit depth then username."""
    if not unit_ids:
        return []
    users = session.scalars(select(User).join(Unit, Unit.id == User.unit_id)
                            .where(User.unit_id.in_(sorted(unit_ids)), User.active.is_(True))
                            .options(joinedload(User.unit)).order_by(Unit.path, User.username))
    return [user for user in users if not user.has_role("admin")]


@dataclass(frozen=True)
class UnitLoad:
    """What depends on one unit: active units right below it, its open findings (responsible
    unit: this one), its active users."""

    active_children: int
    open_findings: int
    active_users: int


def unit_load(session: Session, unit: Unit) -> UnitLoad:
    return UnitLoad(
        active_children=_count(session, select(Unit.id).where(Unit.parent_id == unit.id,
                                                              Unit.active.is_(True))),
        open_findings=_count(session, select(Finding.id).where(Finding.unit_id == unit.id,
                                                               Finding.is_open.is_(True))),
        active_users=_count(session, select(User.id).where(User.unit_id == unit.id,
                                                           User.active.is_(True))))
