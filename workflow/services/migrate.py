"""Move running findings from one lifecycle version to another: explicit, mapped, on the record."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from sqlalchemy import select

from workflow.errors import Forbidden, InvalidInput
from workflow.models import Finding, User
from workflow.services.events import append_event

if TYPE_CHECKING:
    from workflow.runtime import UnitOfWork


def _bad(field: str, text: str) -> InvalidInput:
    return InvalidInput({field: {"zh": text, "en": text}})


def migrate_findings(uow: UnitOfWork, actor: User, name: str, from_version: int, to_version: int,
                     state_map: Mapping[str, str], dry_run: bool = False) -> int:
    """Re-pin every open finding of name@from_version to to_version, one 'migrate' event each.

    States not in `state_map` keep their name, which must exist in the target version.
    Returns how many findings moved (or would move, with dry_run)."""
    if not actor.has_role("admin"):
        raise Forbidden("Only an admin may migrate findings.")
    if from_version == to_version:
        raise _bad("to", "--from and --to are the same version; publish a change as a new version")
    source = uow.registry.get(name, from_version)
    target = uow.registry.get(name, to_version)
    for old, new in state_map.items():
        if not source.has_state(old):
            raise _bad("map", f"'{old}' is not a state of {source.key}")
        if not target.has_state(new):
            raise _bad("map", f"'{new}' is not a state of {target.key}")
    findings = list(uow.session.scalars(
        select(Finding).where(Finding.lifecycle == name, Finding.lifecycle_version == from_version,
                              Finding.is_open.is_(True)).order_by(Finding.id)))
    missing = sorted({f.state for f in findings if not target.has_state(state_map.get(f.state, f.state))})
    if missing:
        raise _bad("map", f"no target state for {', '.join(missing)}: add --map STATE=NEW")
    now = uow.now()
    for finding in findings:
        old_state = finding.state
        new_state = state_map.get(old_state, old_state)
        record = {"from_version": from_version, "to_version": to_version,
                  "from_hash": source.digest, "to_hash": target.digest}
        finding.lifecycle_version, finding.definition_hash = to_version, target.digest
        finding.state, finding.updated_at = new_state, now
        finding.is_open = not target.is_final(new_state)
        finding.closed_at = now if not finding.is_open else None
        append_event(uow.session, finding, "migrate", old_state, new_state, actor, record, now)
    if dry_run:
        uow.session.rollback()
    else:
        uow.session.flush()
        uow.commit()
    return len(findings)
