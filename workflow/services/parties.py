"""The parties to a finding besides its responsible unit — the body an escalation is addressed to,
the lead coordinating body (牵头单位), co-responsible units (配合单位) — kept in one place: the
audited `Finding.parties` column and the `finding_parties` index change together, only here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

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
    out = []
    for token in (finding.parties or "").split():
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
    return session.scalar(select(FindingParty).where(
        FindingParty.finding_id == finding.id, FindingParty.role == role,
        FindingParty.unit_id == unit_id))


def _drop_row(session: Session, finding: Finding, party: Party) -> None:
    row = _row(session, finding, party.role, party.unit_id)
    if row is not None:
        session.delete(row)


def index_agrees(session: Session, finding: Finding) -> bool:
    """Whether the finding_parties rows say what the audited column says (for `verify`)."""
    rows = session.execute(select(FindingParty.role, FindingParty.unit_id,
                                  FindingParty.done_at.is_not(None))
                           .where(FindingParty.finding_id == finding.id)).all()
    return sorted((r, u, bool(d)) for r, u, d in rows) == sorted(
        (p.role, p.unit_id, p.done) for p in parties_of(finding))
