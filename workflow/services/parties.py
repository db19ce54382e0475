"""The parties to a finding besides its responsible unit — the body an escalation is addressed to,
the lead coordinating body (牵头单位), co-responsible units (配合单位) — kept in one place: the
audited `Finding.parties` column and the `finding_parties` index change together, only here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, select
from sqlalchemy.orm import Session, joinedload

from workflow.models import Finding, FindingParty, Unit

# addressee and lead are one unit each (naming another replaces it); co_responsible, any number.
PARTY_ROLES = ("addressee", "lead", "co_responsible")
SINGLE_ROLES = ("addressee", "lead")
DONE = "+"  # suffix of a token whose part is reported done


@dataclass(frozen=True)
class Party:
    role: str
    unit_id: int
    done: bool = False

    def token(self) -> str:
        return f"{self.role}:{self.unit_id}{DONE if self.done else ''}"


def parties_of(finding: Finding) -> list[Party]:
    """The finding's parties, in the order they were added, read from the audited column."""
    return parse_parties(finding.parties)


def parse_parties(text: str | None) -> list[Party]:
    """The parties written in an audited parties column's text."""
    out = []
    for token in (text or "").split():
        role, _, rest = token.partition(":")
        done = rest.endswith(DONE)
        out.append(Party(role, int(rest.rstrip(DONE)), done))
    return out


def is_party(finding: Finding, role: str, unit_id: int) -> bool:
    return any(p.role == role and p.unit_id == unit_id for p in parties_of(finding))


def party_units(finding: Finding, role: str) -> list[int]:
    return [p.unit_id for p in parties_of(finding) if p.role == role]


def _write(finding: Finding, parties: list[Party]) -> None:
    finding.parties = " ".join(p.token() for p in parties)


def add_party(session: Session, finding: Finding, role: str, unit: Unit, now: datetime,
              part: str = "") -> None:
    """Give `unit` the role on the finding (a single role moves to it); idempotent."""
    if role not in PARTY_ROLES:
        raise ValueError(f"unknown party role {role!r}")
    current = parties_of(finding)
    if any(p.role == role and p.unit_id == unit.id for p in current):
        return
    if role in SINGLE_ROLES:
        for old in [p for p in current if p.role == role]:
            _drop_row(session, finding, old)
        current = [p for p in current if p.role != role]
    _write(finding, [*current, Party(role, unit.id)])
    session.add(FindingParty(finding=finding, unit_id=unit.id, role=role, part=part,
                             added_at=now))


def mark_done(session: Session, finding: Finding, role: str, unit_id: int,
              now: datetime) -> None:
    """Record that the party's part is done (its report is the event that calls this)."""
    parties = parties_of(finding)
    if not any(p.role == role and p.unit_id == unit_id for p in parties):
        raise ValueError(f"unit {unit_id} is not {role} on {finding.code}")
    _write(finding, [Party(p.role, p.unit_id, True) if (p.role, p.unit_id) == (role, unit_id)
                     else p for p in parties])
    row = _row(session, finding, role, unit_id)
    if row is not None:
        row.done_at = now


def _row(session: Session, finding: Finding, role: str, unit_id: int) -> FindingParty | None:
    if finding.id is None:
        return None
    with session.no_autoflush:  # flushing the finding now would bump its version a second time
        return session.scalar(select(FindingParty).where(
            FindingParty.finding_id == finding.id, FindingParty.role == role,
            FindingParty.unit_id == unit_id))


def _drop_row(session: Session, finding: Finding, party: Party) -> None:
    row = _row(session, finding, party.role, party.unit_id)
    if row is not None:
        session.delete(row)


def index_agrees(session: Session, finding: Finding) -> bool:
    """Whether the finding_parties rows say what the audited column says (for `verify`)."""
    return finding.id not in index_disagrees(session, [finding])


def index_disagrees(session: Session, findings: Sequence[Finding]) -> set[int]:
    """The ids of those findings whose finding_parties rows differ from their audited column."""
    return indexes_disagreeing(session.connection(), {f.id: f.parties for f in findings},
                               FindingParty.finding_id.in_([f.id for f in findings]))


def indexes_disagreeing(conn: Connection, audited: Mapping[int, str],
                        where: ColumnElement[bool]) -> set[int]:
    """Of the findings given as {id: audited parties column}, those whose finding_parties rows
    (the ones `where` selects must cover them) differ from it."""
    rows: dict[int, list[tuple[str, int, bool]]] = {finding_id: [] for finding_id in audited}
    for finding_id, role, unit_id, done in conn.execute(
            select(FindingParty.finding_id, FindingParty.role, FindingParty.unit_id,
                   FindingParty.done_at.is_not(None)).where(where)):
        if finding_id in rows:
            rows[finding_id].append((role, unit_id, bool(done)))
    return {finding_id for finding_id, text in audited.items() if sorted(rows[finding_id]) != sorted(
        (p.role, p.unit_id, p.done) for p in parse_parties(text))}


@dataclass(frozen=True)
class PartyView:
    """A party as the finding page and the API show it."""

    role: str
    unit: Unit
    part: str
    done: bool


def party_views(session: Session, finding: Finding) -> list[PartyView]:
    """The finding's parties with their units and parts, in the order they were added (the
    index rows carry the part; whether it is done is the audited column's word)."""
    done = {(p.role, p.unit_id) for p in parties_of(finding) if p.done}
    rows = session.scalars(select(FindingParty).where(FindingParty.finding_id == finding.id)
                           .options(joinedload(FindingParty.unit)).order_by(FindingParty.id))
    return [PartyView(r.role, r.unit, r.part, (r.role, r.unit_id) in done) for r in rows]
