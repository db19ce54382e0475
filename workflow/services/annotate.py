"""Events that record something about a finding without moving it (a comment, a link, a letter
sent or answered): on the finding's hash chain like its transitions, so `verify` covers them."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from workflow.errors import StaleFinding
from workflow.models import Attachment, Event, Finding, User
from workflow.services.events import append_event
from workflow.spec.model import ANNOTATIONS

if TYPE_CHECKING:
    from workflow.runtime import UnitOfWork


ATTEMPTS = 3  # an annotation does not conflict with anything: retry it on a concurrent write


def annotate(finding: Finding, trigger: str, actor: User, record: Mapping[str, Any],
             uow: UnitOfWork, attachments: Sequence[Attachment] = ()) -> Event:
    """Append an annotation event to a loaded finding (unflushed, uncommitted); the finding's
    state and audited columns do not change, its version does (the chain grew)."""
    if trigger not in ANNOTATIONS:
        raise ValueError(f"{trigger!r} is not an annotation")
    return append_event(uow.session, finding, trigger, finding.state, finding.state, actor,
                        dict(record), uow.now(), attachments)


def commit_annotation(uow: UnitOfWork, finding_id: int, write: Callable[[], Any]) -> Any:
    """Run `write` (which loads what it needs and annotates) and commit; when a concurrent
    writer moved a finding it touched, roll back and run it again on fresh rows. `write` must
    load its rows anew each time (populate_existing) and check what it needs to check."""
    for attempt in range(ATTEMPTS):
        try:
            result = write()
            uow.session.flush()
            uow.commit()
            return result
        except (StaleDataError, IntegrityError):
            uow.session.rollback()
            if attempt == ATTEMPTS - 1:
                raise StaleFinding(finding_id, None, None) from None
    raise AssertionError("unreachable")
