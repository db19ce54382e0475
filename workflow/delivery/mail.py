"""Mail: one EmailMessage per outbox message (a Message-ID stable across retries, absolute
links), sent over SMTP (STARTTLS and login when configured) or written as an .eml file."""

from __future__ import annotations

import hashlib
import os
import re
import smtplib
import ssl
import tempfile
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path
from types import TracebackType

from workflow.config import DeliverySettings
from workflow.delivery.outbox import Claimed

_LINK = re.compile(r"(?m)^/(?=\S*$)")  # a line that is a path of the app, e.g. /findings/7
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")


class Undeliverable(Exception):
    """Sending this message cannot succeed by retrying (no address, endpoint gone)."""


def absolute_links(text: str, base_url: str) -> str:
    """Lines that are an app path become links a mail reader can open."""
    return _LINK.sub(base_url.rstrip("/") + "/", text)


def message_id(key: str, settings: DeliverySettings) -> str:
    """The same Message-ID for every attempt of one message: receivers can drop a repeat."""
    domain = parseaddr(settings.mail_from)[1].rpartition("@")[2] or "localhost"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:40]}.rectify@{domain}>"


def build_mail(message: Claimed, settings: DeliverySettings) -> EmailMessage:
    """The mail for an outbox message: subject and text in the recipient's language."""
    payload = message.payload
    if not payload.get("to"):
        raise Undeliverable("the message has no e-mail address")
    mail = EmailMessage()
    mail["From"] = settings.mail_from
    mail["To"] = str(payload["to"])
    mail["Subject"] = str(payload.get("subject", ""))
    mail["Date"] = format_datetime(message.created_at)
    mail["Message-ID"] = message_id(message.key, settings)
    mail["X-Rectify-Key"] = message.key
    mail["Content-Language"] = "zh-CN" if str(payload.get("lang", "")).startswith("zh") else "en"
    mail.set_content(absolute_links(str(payload.get("text", "")), settings.base_url))
    return mail


class MailSender:
    """Sends mails through one SMTP connection opened on the first mail, or writes files."""

    def __init__(self, settings: DeliverySettings, folder: Path) -> None:
        self.settings, self.folder = settings, folder
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> MailSender:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._close()

    def send(self, message: Claimed) -> None:
        mail = build_mail(message, self.settings)
        if self.settings.mail == "files":
            write_eml(mail, message.key, self.folder)
            return
        try:
            self._connection().send_message(mail)
        except (smtplib.SMTPException, OSError):
            self._close()  # the next mail opens a fresh connection
            raise

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            s = self.settings
            smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=30)
            try:
                if s.smtp_starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if s.smtp_user:
                    smtp.login(s.smtp_user, s.smtp_password)
            except BaseException:
                smtp.close()
                raise
            self._smtp = smtp
        return self._smtp

    def _close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()


def write_eml(mail: EmailMessage, key: str, folder: Path) -> Path:
    """<key>.eml in the folder, written whole or not at all (a temporary file renamed)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{_UNSAFE_NAME.sub('_', key)}.eml"
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=".", suffix=".eml.part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(mail.as_bytes())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
