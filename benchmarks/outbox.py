"""fire() with its outbox writes: a unit whose people take e-mail immediately, so each transition
writes notifications and an outbox message per recipient in the same commit."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select, update

from benchmarks.world import Org
from workflow.models import OutboxMessage, Unit, User
from workflow.runtime import Rectify
from workflow.services.accounts import create_user
from workflow.services.directory import create_unit

CASE = "fire() with outbox: request_extension ⇄ deny_extension, e-mail immediately"


def outbox_people(app: Rectify, org: Org) -> tuple[Unit, User, User]:
    """Group C under the body, its handler and supervisor (immediate e-mail); the others keep
    their settings, so the cases measured before are unchanged."""
    with app.unit_of_work() as uow:
        unit = create_unit(uow.session, "GC", "group_c", "group_c", "group", org.units["body"])
        people = [create_user(uow.session, name, name, "benchmark-password", [role], unit)
                  for name, role in (("handler_c", "handler"), ("supervisor_c", "supervisor"))]
        uow.session.execute(update(User).where(User.id.in_([p.id for p in people]))
                            .values(notify_email="immediate", email="someone@example.org"))
        uow.commit()
    return unit, people[0], people[1]


def outbox_rows(app: Rectify) -> int:
    with app.unit_of_work(write=False) as uow:
        return uow.session.scalar(select(func.count()).select_from(OutboxMessage)) or 0


def per_call(app: Rectify, op: Callable[[], None], calls: int = 10) -> float:
    """Outbox messages one call writes."""
    before = outbox_rows(app)
    for _ in range(calls):
        op()
    return (outbox_rows(app) - before) / calls
