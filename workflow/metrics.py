"""What the engine counts for /metrics (prometheus-client): events committed to the chain, by
lifecycle and trigger, counted only once their transaction commits."""

from __future__ import annotations

from prometheus_client import Counter
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

TRANSITIONS = Counter("rectify_transitions", "Events committed on findings' chains (every "
                      "transition, the scheduler's ladder steps included)", ["lifecycle", "trigger"])
_PENDING = "rectify.metrics.transitions"  # session.info key: what the open transaction wrote


def note_transition(session: Session, lifecycle: str, trigger: str) -> None:
    """Count this event when (and only if) the session's transaction commits."""
    session.info.setdefault(_PENDING, []).append((lifecycle, trigger))


@event.listens_for(Session, "after_commit")
def _count_committed(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint released: the outer one may still undo it
        return
    for lifecycle, trigger in session.info.pop(_PENDING, ()):
        TRANSITIONS.labels(lifecycle, trigger).inc()


@event.listens_for(Session, "after_transaction_end")
def _forget_rolled_back(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outermost transaction ended without a commit
        session.info.pop(_PENDING, None)
