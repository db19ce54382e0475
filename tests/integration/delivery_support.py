"""Local receivers for delivery tests: an SMTP server (aiosmtpd) and an HTTP server that checks
Standard Webhooks signatures; plus writing outbox messages the way notify() does."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from email import message_from_bytes
from email.message import Message
from email.policy import default
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import select
from standardwebhooks import Webhook, WebhookVerificationError

from workflow.models import OutboxMessage, User, WebhookEndpoint
from workflow.runtime import Rectify
from workflow.services.notify import message, queue

BASE_URL = "https://rectify.example.org"
PARAMS = {"finding_id": 7, "code": "F-2026-0007", "title": "Fire exit blocked",
          "label": {"zh": "交办", "en": "Assign"}, "actor": "Inspector", "note": "",
          "due_date": "2026-03-16", "unit": {"zh": "甲集团", "en": "Group A"}}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _Inbox:
    def __init__(self) -> None:
        self.mails: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content,
                                                                       policy=default)))
        return "250 OK"


def _authenticator(user: str, password: str) -> Any:
    def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            user.encode(), password.encode())
        return AuthResult(success=ok, handled=False)

    return check


@contextmanager
def smtp_server(user: str = "", password: str = "",
                ) -> Iterator[tuple[int, list[tuple[list[str], Message]]]]:
    """A real SMTP server on 127.0.0.1 (requiring a login when user is given, over plain text:
    a test server); yields its port and the mails it took (rcpts, mail)."""
    inbox = _Inbox()
    auth: dict[str, Any] = ({"authenticator": _authenticator(user, password), "auth_required": True,
                             "auth_require_tls": False} if user else {})
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), **auth)
    controller.start()
    try:
        yield controller.port, inbox.mails
    finally:
        controller.stop()


@dataclass
class Received:
    """One webhook request as the receiver saw it."""

    path: str
    headers: dict[str, str]
    body: bytes
    verified: Any  # the parsed JSON when the signature verified, else the error


@dataclass
class WebhookReceiver:
    """Answers `status` (per path; 200 by default) and records every request, checking its
    signature with standardwebhooks.Webhook(secret).verify(body, headers)."""

    port: int = 0
    secret: str = ""
    status: dict[str, int] = field(default_factory=dict)
    requests: list[Received] = field(default_factory=list)

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def ids(self) -> list[str]:
        return [r.headers["webhook-id"] for r in self.requests]


@contextmanager
def webhook_server() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                verified: Any = Webhook(receiver.secret).verify(body, headers)
            except WebhookVerificationError as exc:
                verified = exc
            receiver.requests.append(Received(self.path, headers, body, verified))
            self.send_response(receiver.status.get(self.path, 200))
            self.send_header("Content-Length", "7")
            self.end_headers()
            self.wfile.write(b"ok/fail")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def configure(rectify: Rectify, **delivery: Any) -> None:
    """Change the delivery settings of this Rectify (base URL set to BASE_URL by default)."""
    delivery.setdefault("base_url", BASE_URL)
    rectify.settings = replace(rectify.settings,
                               delivery=replace(rectify.settings.delivery, **delivery))


def add_endpoint(rectify: Rectify, url: str, secret: str) -> int:
    with rectify.unit_of_work() as uow:
        endpoint = WebhookEndpoint(url=url, secret=secret, description="", active=True,
                                   created_at=uow.now())
        uow.session.add(endpoint)
        uow.commit()
        return endpoint.id


def write_message(rectify: Rectify, username: str, channel: str, key: str,
                  endpoint_id: int | None = None, email: str = "", language: str = "en") -> int:
    """One outbox message about PARAMS for the user, written as notify() writes them."""
    with rectify.unit_of_work() as uow:
        user = uow.session.scalars(select(User).where(User.username == username)).one()
        user.email, user.language = email, language
        endpoint = uow.session.get(WebhookEndpoint, endpoint_id) if endpoint_id else None
        row = queue(uow.session, key, channel, user, endpoint,
                    message("transition", PARAMS, user), uow.now())
        uow.session.flush()
        uow.commit()
        return row.id


def outbox_row(rectify: Rectify, message_id: int) -> OutboxMessage:
    with rectify.unit_of_work(write=False) as uow:
        row = uow.session.get(OutboxMessage, message_id)
        assert row is not None
        uow.session.expunge(row)
        return row


def body_of(received: Received) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(received.body)
    return parsed
