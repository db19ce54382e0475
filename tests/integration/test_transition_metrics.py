"""The transitions counter moves only when the transaction that wrote the events commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from workflow.metrics import TRANSITIONS, note_transition
from workflow.runtime import Rectify


def started(uow: Any) -> Any:
    """A transaction under way, as when fire() has read the finding."""
    uow.session.execute(select(1))
    return uow.session


def counted(trigger: str) -> float:
    return TRANSITIONS.labels("standard", trigger)._value.get()


def test_rolled_back_events_are_not_counted_and_committed_ones_once(rectify: Rectify) -> None:
    before = counted("probe")
    with rectify.unit_of_work() as uow:
        note_transition(started(uow), "standard", "probe")
        uow.session.rollback()  # e.g. fire() meeting a concurrent change ...
        uow.commit()  # ... and the request's session committing something else afterwards
    with rectify.unit_of_work() as uow:
        note_transition(started(uow), "standard", "probe")  # never committed: left by __exit__
    with rectify.unit_of_work() as uow, started(uow).begin_nested():
        note_transition(uow.session, "standard", "probe")  # released, then all undone
    assert counted("probe") == before
    with rectify.unit_of_work() as uow:
        with uow.session.begin_nested():  # a savepoint ending does not settle the count
            note_transition(started(uow), "standard", "probe")
        note_transition(started(uow), "standard", "probe")
        uow.commit()
        uow.commit()  # a second, empty commit counts nothing again
    assert counted("probe") == before + 2
