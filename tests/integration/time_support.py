"""Helpers for the time tests: the fake clock on a date, and standard@2 steps with payloads."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from tests.conftest import FakeClock, Flow, Org
from workflow.models import Finding, Notification
from workflow.runtime import Rectify

D = date.fromisoformat


def at(clock: FakeClock, day: str) -> datetime:
    """09:00 in Shanghai on that day."""
    clock.set(datetime.fromisoformat(f"{day}T01:00:00+00:00"))
    return clock.current


def assign(flow: Flow, fid: int, due: str | None = None) -> Finding:
    payload = {"requirement": "Clear the exits and name a fire warden"}
    if due is not None:
        payload["due_date"] = due
    return flow.fire(fid, "assign", payload=payload)


def report(flow: Flow, org: Org, fid: int) -> Finding:
    return flow.fire(fid, "report_rectification", actor=org.handler_a, payload={
        "measures": "Exits cleared, warden named", "evidence": [flow.evidence(org.handler_a)]})


def revisit(flow: Flow, fid: int) -> Finding:
    return flow.fire(fid, "revisit", payload={"visited_on": flow.today().isoformat(),
                                              "method": "onsite", "observations": "Looked"})


def changes(flow: Flow, fid: int) -> list[tuple[str, list[str | None]]]:
    """The due-date history: (trigger, [old, new]) of every event that changed the due date."""
    return [(e.trigger, e.payload["due_date_change"]) for e in flow.events(fid)
            if "due_date_change" in e.payload]


def notified(rectify: Rectify, fid: int, seq: int) -> list[str]:
    with rectify.unit_of_work(write=False) as uow:
        code = uow.session.get(Finding, fid).code  # type: ignore[union-attr]
        notes = uow.session.scalars(select(Notification).where(
            Notification.key.startswith(f"{code}:{seq}:"))).all()
        return sorted(note.user.username for note in notes)


def closed(flow: Flow, clock: FakeClock, org: Org) -> Finding:
    """A standard@2 finding assigned, reported, checked and confirmed on Monday 2026-03-02."""
    at(clock, "2026-03-02")
    fid = flow.raise_().id
    assign(flow, fid, "2026-03-20")
    report(flow, org, fid)
    revisit(flow, fid)
    return flow.fire(fid, "confirm", payload={"conclusion": "Fixed"})
