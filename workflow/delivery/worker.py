"""One delivery pass (`deliver_due`) and the worker's loop: claim due messages and commit,
send each outside any transaction, then record each outcome in a short transaction of its own."""

from __future__ import annotations

import logging
import smtplib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType

from workflow.delivery.mail import MailSender, Undeliverable
from workflow.delivery.outbox import DEAD, Claimed, claim, mark_failed, mark_sent
from workflow.delivery.webhook import DeliveryFailed, post
from workflow.runtime import Rectify

log = logging.getLogger(__name__)


@dataclass
class DeliveryReport:
    """What one pass did: claimed, sent, failed for now (retried later), dead-lettered."""

    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    dead: int = 0

    def __str__(self) -> str:
        return (f"claimed {self.claimed}, sent {self.sent}, to retry {self.retrying}, "
                f"dead {self.dead}")


def claim_due(rectify: Rectify, now: datetime | None = None, limit: int = 100) -> list[Claimed]:
    """Claim (and lease) the messages due at `now`, committed before anything is sent: a worker
    that dies while sending leaves them to be claimed again when the lease runs out."""
    settings = rectify.settings.delivery
    channels = ("webhook",) if settings.mail == "off" else ("email", "webhook")
    with rectify.unit_of_work() as uow:
        claimed = claim(uow.session, now or uow.now(), limit, settings, channels)
        uow.commit()
    return claimed


class Transport:
    """Sends claimed messages by their channel; holds one SMTP connection for the pass."""

    def __init__(self, rectify: Rectify) -> None:
        self.settings = rectify.settings.delivery
        self.mail = MailSender(self.settings, rectify.settings.mail_path)

    def __enter__(self) -> Transport:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.mail.__exit__(exc_type, exc, tb)

    def send(self, message: Claimed) -> None:
        if message.channel == "email":
            self.mail.send(message)
        elif message.channel == "webhook":
            post(message, self.settings)
        else:
            raise Undeliverable(f"unknown channel {message.channel!r}")


def record(rectify: Rectify, message: Claimed, error: BaseException | None,
           now: datetime | None = None) -> str:
    """Mark the message sent, or record the failure; returns its status afterwards."""
    with rectify.unit_of_work() as uow:
        moment = now or uow.now()
        if error is None:
            mark_sent(uow.session, message.id, moment)
            status = "sent"
        else:
            status = mark_failed(uow.session, message, _describe(error), moment,
                                 rectify.settings.delivery, isinstance(error, Undeliverable))
        uow.commit()
    return status


def _describe(error: BaseException) -> str:
    return str(error) or type(error).__name__


def deliver_due(rectify: Rectify, now: datetime | None = None, limit: int = 100) -> DeliveryReport:
    """One pass over the outbox: send what is due, retry later what fails, dead-letter what has
    failed its last attempt. Safe to run on several hosts at once."""
    claimed = claim_due(rectify, now, limit)
    report = DeliveryReport(claimed=len(claimed))
    with Transport(rectify) as transport:
        for message in claimed:
            error: BaseException | None = None
            try:
                transport.send(message)
            except (Undeliverable, DeliveryFailed, smtplib.SMTPException, OSError) as exc:
                error = exc
            status = record(rectify, message, error, now)
            if status == "sent":
                report.sent += 1
            elif status == DEAD:
                report.dead += 1
            else:
                report.retrying += 1
    return report


def run_worker(rectify: Rectify, stop: threading.Event, poll_seconds: float = 10.0,
               on_pass: Callable[[DeliveryReport], None] | None = None, limit: int = 100) -> None:
    """Deliver until `stop` is set: at once again while a pass finds a full batch, otherwise
    after the poll interval. A failing pass (database away) is logged and tried again later."""
    while not stop.is_set():
        try:
            report = deliver_due(rectify, limit=limit)
        except Exception:  # keep the worker alive; the next pass retries
            log.exception("delivery pass failed")
            stop.wait(poll_seconds)
            continue
        if on_pass is not None:
            on_pass(report)
        if report.claimed < limit:
            stop.wait(poll_seconds)
