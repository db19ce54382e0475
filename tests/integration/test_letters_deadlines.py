"""Letters under pressure: numbers stay unique and consecutive per body when many send at once;
the tick reminds each pending addressee once before the reply date and once after it, tells the
sender body once, and two ticks at once change nothing of that."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import func, select, update

from workflow.errors import Forbidden
from workflow.models import Letter, LetterAddressee, Notification, OutboxMessage, User
from workflow.runtime import Rectify
from workflow.services.letters import reply_to_letter, send_letter
from workflow.services.tick import TickReport, tick

Flow = Any
TIMEOUT = 120


def in_threads(app: Rectify, jobs: list[Callable[[Rectify], Any]]) -> list[Any]:
    """Run each job at once in a thread with an engine (and pool) of its own."""
    barrier, results, errors = threading.Barrier(len(jobs)), [], []

    def run(job: Callable[[Rectify], Any]) -> None:
        own = Rectify(app.settings, clock=app.clock, registry=app.registry,
                      calendar=app.calendar)
        try:
            barrier.wait(timeout=TIMEOUT)
            results.append(job(own))
        except BaseException as exc:  # handed to the test rather than lost in the thread
            errors.append(exc)
        finally:
            own.database.dispose()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT)
    assert not errors, errors
    return results


def sender(by: User, to: int, finding_id: int | None) -> Callable[[Rectify], str]:
    def job(app: Rectify) -> str:
        with app.unit_of_work() as uow:
            return send_letter(uow, by, "请回复", "正文", [to], finding_id=finding_id).number
    return job


def test_eight_parallel_sends_by_two_bodies_get_consecutive_unique_numbers(flow: Flow) -> None:
    org = flow.org
    finding = flow.raise_()  # half of them annotate the same finding at once
    jobs = [sender(org.inspector, org.group_b.id, finding.id if n % 2 else None)
            for n in range(4)]
    jobs += [sender(org.supervisor, org.group_a.id, None) for _ in range(4)]
    numbers = in_threads(flow.app, jobs)
    with flow.app.unit_of_work(write=False) as uow:
        rows = uow.session.execute(select(Letter.body_id, Letter.seq, Letter.number)).all()
    per_body = Counter(body for body, _, _ in rows)
    assert per_body == {org.inspection_body.id: 4, org.commission.id: 4}
    for body in per_body:
        assert sorted(seq for b, seq, _ in rows if b == body) == [1, 2, 3, 4]
    assert sorted(numbers) == sorted(n for _, _, n in rows) and len(set(numbers)) == 4
    assert len([e for e in flow.events(finding.id) if e.trigger == "letter"]) == 2


def at(flow: Flow, day: date) -> TickReport:
    flow.app.clock.set(datetime.combine(day, time(9), flow.app.zone).astimezone(UTC))
    return tick(flow.app)


def told(flow: Flow) -> list[tuple[str, str]]:
    with flow.app.unit_of_work(write=False) as uow:
        return sorted(uow.session.execute(
            select(Notification.kind, User.username).join(Notification.user)
            .where(Notification.kind.like("letter_%"), Notification.kind != "letter_sent")))


def sent_letter(flow: Flow) -> int:
    org = flow.org
    with flow.app.unit_of_work() as uow:  # due Monday 9 March
        return send_letter(uow, org.inspector, "请回复", "正文",
                           [org.group_a.id, org.group_b.id]).id


def test_the_tick_reminds_before_the_reply_date_and_after_it_once_each(flow: Flow) -> None:
    org = flow.org
    letter_id = sent_letter(flow)
    with flow.app.unit_of_work() as uow:
        uow.session.execute(update(User).where(User.username == "handler_b")
                            .values(notify_email="immediate", email="b@example.org"))
        uow.commit()
    assert at(flow, date(2026, 3, 5)).letters == 0  # Thursday: two working days ahead
    assert at(flow, date(2026, 3, 6)).letters == 2  # Friday: the working day before
    soon = [("letter_due_soon", "handler_a"), ("letter_due_soon", "handler_b"),
            ("letter_due_soon", "handler_reviewer_a")]
    assert told(flow) == soon
    assert at(flow, date(2026, 3, 6)) == TickReport()  # nothing to do, nothing even tried
    assert at(flow, date(2026, 3, 9)) == TickReport()
    with flow.app.unit_of_work() as uow:
        reply_to_letter(uow, org.handler_a, letter_id, "已回复")
    assert at(flow, date(2026, 3, 10)).letters == 1  # only group B is late
    late = [k for k in told(flow) if k not in soon]
    assert late == [("letter_overdue", "handler_b"), ("letter_overdue_sender", "inspector"),
                    ("letter_replied", "inspector")]
    assert at(flow, date(2026, 3, 11)).letters == 0
    with flow.app.unit_of_work(write=False) as uow:
        mails = uow.session.scalars(select(OutboxMessage.idempotency_key)
                                    .where(OutboxMessage.channel == "email")).all()
        # handler_b took e-mail one by one after the letter came: both reminders, by mail too
        assert sorted(k.split(":")[3] for k in mails) == ["letter_due_soon", "letter_overdue"]
        reminded = dict(uow.session.execute(select(LetterAddressee.unit_id,
                                                   LetterAddressee.reminded)).all())
        assert reminded == {org.group_a.id: "due_soon", org.group_b.id: "due_soon overdue"}


def test_a_late_first_tick_sends_only_the_overdue_reminder(flow: Flow) -> None:
    sent_letter(flow)
    assert at(flow, date(2026, 3, 12)).letters == 2
    assert {kind for kind, _ in told(flow)} == {"letter_overdue", "letter_overdue_sender"}


def test_two_ticks_at_once_remind_each_addressee_once(flow: Flow) -> None:
    for _ in range(6):
        sent_letter(flow)
    moment = datetime.combine(date(2026, 3, 6), time(9), flow.app.zone).astimezone(UTC)
    reports = in_threads(flow.app, [lambda app: tick(app, moment)] * 2)
    assert sum(r.letters for r in reports) == 12
    assert Counter(told(flow)) == {("letter_due_soon", "handler_a"): 6,
                                   ("letter_due_soon", "handler_b"): 6,
                                   ("letter_due_soon", "handler_reviewer_a"): 6}


def test_two_replies_at_once_from_one_unit_one_is_kept(flow: Flow) -> None:
    org = flow.org
    letter_id = sent_letter(flow)

    def replier(user: User, text: str) -> Callable[[Rectify], str]:
        def job(app: Rectify) -> str:
            with app.unit_of_work() as uow:
                try:
                    reply_to_letter(uow, user, letter_id, text)
                except Forbidden:
                    return "refused"
                return "replied"
        return job

    results = in_threads(flow.app, [replier(org.handler_a, "甲"),
                                    replier(org.handler_reviewer_a, "乙")])
    assert sorted(results) == ["refused", "replied"]
    with flow.app.unit_of_work(write=False) as uow:
        row = uow.session.scalars(select(LetterAddressee).where(
            LetterAddressee.unit_id == org.group_a.id)).one()
        assert row.reply_text in ("甲", "乙")
        told = uow.session.scalar(select(func.count()).select_from(Notification)
                                  .where(Notification.kind == "letter_replied"))
        assert told == 1  # the inspector, once
