"""What an actor may see: the subtree of its unit, and findings where a unit of that subtree is a
party (admins: everything); and which side of a finding it may take. The one place it is decided."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    exists,
    false,
    func,
    inspect,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from workflow.errors import InvalidInput
from workflow.models import Finding, FindingParty, Unit, User
from workflow.services.parties import PARTY_ROLES, parties_of, party_units
from workflow.text import as_id


def sees_everything(actor: User) -> bool:
    return actor.has_role("admin")


def unit_in_scope(actor: User, unit: Unit) -> bool:
    return sees_everything(actor) or unit.path.startswith(actor.unit.path)


def sees_finding(session: Session, actor: User, finding: Finding) -> bool:
    """`findings_clause()` in Python, for one loaded finding: its unit in the actor's scope, or
    a party unit (read from the audited parties column, which finding_parties mirrors) in it."""
    if sees_everything(actor) or unit_in_scope(actor, finding.unit):
        return True
    return any(unit is not None and unit_in_scope(actor, unit)
               for unit in (session.get(Unit, party.unit_id) for party in parties_of(finding)))


def focus_unit(session: Session, actor: User, raw: object) -> Unit | None:
    """The unit a report or the statistics are narrowed to, as given (an id, or absent: None).
    One answer, naming 'unit', for an id that is not a number, not a unit, or a unit outside
    the actor's scope: neither its name nor its existence shows."""
    if raw is None or raw == "":
        return None
    unit_id = as_id(raw)
    unit = session.get(Unit, unit_id) if unit_id is not None else None
    if unit is None or not unit_in_scope(actor, unit):
        raise InvalidInput({"unit": {"zh": "单位不存在或不在您的范围内。",
                                     "en": "There is no such unit within your scope."}})
    return unit


def takes_side(actor: User, side: str, finding: Finding) -> bool:
    """Who may take which side of a finding it sees:

    - a party side (addressee, lead, co_responsible): a member of that very party unit;
    - the responsible and inspecting sides: the finding's unit lies in the actor's scope (a
      party-only viewer never acts on them), and `independent()` holds.
    `side_clause` is the same rule in SQL."""
    if side in PARTY_ROLES:
        return actor.unit_id in party_units(finding, side)
    return unit_in_scope(actor, finding.unit) and independent(actor, side, finding)


def independent(actor: User, side: str, finding: Finding) -> bool:
    """Who may take which side of a finding (scope already holds):

    - inspecting steps (assign, check, confirm, waive, decide): the body that raised the
      finding or one above it, never a member of the finding's own unit;
    - responsible steps (report, ask, adopt): the unit's side, never the raising body or one
      above it — nobody both does the work and checks it.

    The raising body is the one recorded on the finding when it was raised, never the
    raiser's current unit. `side_clause` is the same rule in SQL."""
    above_raiser = finding.raised_by_unit.path.startswith(actor.unit.path)
    if side == "responsible":
        return not above_raiser
    return above_raiser and finding.unit_id != actor.unit_id


def load_raising_bodies(session: Session, findings: Iterable[Finding]) -> None:
    """Give these findings the raising body `independent()` reads, in one query for those whose
    body the session does not hold yet (none: no query; a held one costs no query either)."""
    pending = [f for f in findings if "raised_by_unit" in inspect(f).unloaded]
    missing = {f.raised_by_unit_id for f in pending
               if identity_key(Unit, f.raised_by_unit_id) not in session.identity_map}
    if not missing:
        return
    loaded = {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_(sorted(missing))))}
    for finding in pending:
        if finding.raised_by_unit_id in loaded:
            set_committed_value(finding, "raised_by_unit", loaded[finding.raised_by_unit_id])


def raised_at_or_below(actor: User) -> ColumnElement[bool]:
    """WHERE clause on Finding: raised by the actor's unit or a unit below it."""
    bodies = select(Unit.id).where(Unit.under(actor.unit.path))
    return Finding.raised_by_unit_id.in_(bodies)


def units_outside(session: Session, actor: User) -> bool:
    """Some unit lies outside the actor's subtree (a finding it may take the responsible side
    of was raised by one: `independent()`). Two seeks of the path index, one on each side of
    the subtree's range (a NOT over the range, or a LIKE, reads the subtree first)."""
    if sees_everything(actor) or not actor.unit.path:
        return False
    low, high = Unit.path_range(actor.unit.path)
    below, above = (select(Unit.id).where(edge).exists()
                    for edge in (Unit.path < low, Unit.path >= high))
    return bool(session.execute(select(or_(below, above))).scalar())


@dataclass(frozen=True)
class Breadth:
    """How much of the unit tree the actor's scope holds, read once for a list (breadth())."""

    units: int  # in the tree
    in_scope: int  # in the actor's subtree (all of them for an admin)

    @property
    def whole(self) -> bool:
        """Every unit lies in the scope (an admin, the root's people): a finding's unit and its
        raising body always do, so the clauses below drop their unit tests (whole=True): the
        same matches, without the lists of every unit's id that each statement would build."""
        return self.in_scope >= self.units


def breadth(session: Session, actor: User) -> Breadth:
    """The actor's Breadth, in one statement."""
    query = select(func.count(), func.count().filter(units_clause(actor))).select_from(Unit)
    units, in_scope = session.execute(query).one()
    return Breadth(int(units), int(in_scope))


def side_clause(actor: User, side: str, whole: bool = False) -> ColumnElement[bool]:
    """`takes_side()` as a WHERE clause on Finding, for lists such as My work (whole: see
    Breadth)."""
    if side in PARTY_ROLES:
        return _party_exists(FindingParty.role == side, FindingParty.unit_id == actor.unit_id)
    return and_(own_findings_clause(actor, whole=whole), independent_clause(actor, side, whole))


def independent_clause(actor: User, side: str, whole: bool = False) -> ColumnElement[bool]:
    """`independent()` as a WHERE clause on Finding (the responsible or inspecting side; scope
    apart: side_clause adds it). Whole (see Breadth): every raising body is at or below the
    actor's unit, so the responsible side is nobody's finding."""
    if whole:
        return false() if side == "responsible" else Finding.unit_id != actor.unit_id
    ours = raised_at_or_below(actor)
    return ~ours if side == "responsible" else and_(ours, Finding.unit_id != actor.unit_id)


def party_findings(actor: User) -> Select[Any]:
    """SELECT of the ids of the findings where the actor's own unit is a party (indexed)."""
    return select(FindingParty.finding_id).where(FindingParty.unit_id == actor.unit_id)


def _party_exists(*where: ColumnElement[bool]) -> ColumnElement[bool]:
    """EXISTS a finding_parties row of the finding (indexed on finding_id) matching `where`."""
    return exists().where(FindingParty.finding_id == Finding.id, *where)


def units_clause(actor: User) -> ColumnElement[bool]:
    """WHERE clause on Unit for the units this actor may see."""
    if sees_everything(actor):
        return true()
    return Unit.under(actor.unit.path)


def own_findings_clause(actor: User, unit_id: Any = Finding.unit_id,
                        whole: bool = False) -> ColumnElement[bool]:
    """WHERE clause on Finding: its responsible unit lies in the actor's scope (statistics count
    these; a finding where the actor's units are only parties is not theirs to answer for).
    unit_id: the column holding the responsible unit (services.as_of's, for a past moment: then
    the finding must be the actor's now as well, see _now_too). whole: see Breadth."""
    if sees_everything(actor) or (whole and unit_id is Finding.unit_id):
        return true()
    return _now_too(_own(actor, unit_id), unit_id, lambda: _own(actor, Finding.unit_id))


def answered_clause(session: Session, actor: User, focus_id: int | None,
                    unit_id: Any = Finding.unit_id) -> ColumnElement[bool]:
    """own_findings_clause within the subtree of focus_id (None: the whole scope), live. A focus
    in the actor's scope has its whole subtree there, so the subtree alone is the rule: one IN
    over its units, where the scope's IN beside it made SQLite probe every unit of the scope."""
    if focus_id is None:
        return own_findings_clause(actor, unit_id)
    focus = session.get(Unit, focus_id)
    if focus is not None and unit_in_scope(actor, focus):
        return subtree_clause(session, focus_id, unit_id)
    return and_(own_findings_clause(actor, unit_id), subtree_clause(session, focus_id, unit_id))


def findings_clause(actor: User, unit_id: Any = Finding.unit_id) -> ColumnElement[bool]:
    """WHERE clause on Finding for the findings this actor may see: its own, and those where a
    unit of its subtree is a party (unit_id: as in own_findings_clause). `sees_finding` is the
    same rule in Python, for one finding."""
    if sees_everything(actor):
        return true()
    party = _party_exists(FindingParty.unit_id.in_(select(Unit.id).where(units_clause(actor))))
    return _now_too(or_(_own(actor, unit_id), party), unit_id,
                    lambda: or_(_own(actor, Finding.unit_id), party))


def _own(actor: User, unit_id: Any) -> ColumnElement[bool]:
    clause: ColumnElement[bool] = unit_id.in_(select(Unit.id).where(units_clause(actor)))
    return clause


def _now_too(then: ColumnElement[bool], unit_id: Any,
             now: Callable[[], ColumnElement[bool]]) -> ColumnElement[bool]:
    """As of a past moment (unit_id is not the row's): in the scope by the unit then, and
    visible now. A past view never shows a finding since moved out of the actor's scope: the
    columns not rebuilt from the events (parties, acknowledgement, overdue level...) and its
    page are today's, which the actor may not see."""
    return then if unit_id is Finding.unit_id else and_(then, now())


def subtree_clause(session: Session, unit_id: int,
                   column: Any = Finding.unit_id) -> ColumnElement[bool]:
    """WHERE clause on Finding: responsible unit (in `column`) within the subtree of unit_id."""
    unit = session.get(Unit, unit_id)
    if unit is None:
        return Finding.id.is_(None)
    subtree = select(Unit.id).where(Unit.under(unit.path))
    clause: ColumnElement[bool] = column.in_(subtree)
    return clause
