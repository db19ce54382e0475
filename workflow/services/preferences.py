"""How notifications reach a user: an e-mail address (optional) and, per channel (e-mail,
webhook), immediately, in a daily digest or not at all; the in-app bell always. Every field is
checked at once, with a message in zh and en, and nothing changes unless all are valid."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from workflow.errors import InvalidInput
from workflow.models import User
from workflow.text import problem

if TYPE_CHECKING:
    from workflow.runtime import UnitOfWork

CHANNELS = ("notify_email", "notify_webhook")
CHOICES = ("immediate", "digest", "off")
MAX_EMAIL = 320
# A deliverable address, kept simple: one @, no spaces, a dotted domain of letters, digits, -.
EMAIL = re.compile(r"[^@\s\"(),:;<>\[\]\\]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                   r"\.)+[A-Za-z]{2,63}")

Errors = dict[str, dict[str, str]]
_BAD_EMAIL = {"zh": "电子邮箱地址无效（例如 name@example.cn）。",
              "en": "Enter an e-mail address like name@example.org."}
_BAD_CHOICE = {"zh": "应为 立即发送、每日汇总 或 不发送（immediate、digest、off）。",
               "en": "Choose immediate, digest or off."}


def email_errors(email: str | None) -> Errors:
    """What is wrong with an e-mail address (empty: none given, which is fine)."""
    if email is None or email == "":
        return {}
    if (len(email) > MAX_EMAIL or problem(email) is not None
            or not EMAIL.fullmatch(email) or ".." in email):
        return {"email": _BAD_EMAIL}
    return {}


def channel_errors(choices: Mapping[str, str | None]) -> Errors:
    return {name: _BAD_CHOICE for name in CHANNELS
            if choices.get(name) is not None and choices[name] not in CHOICES}


def set_preferences(uow: UnitOfWork, user: User, email: str | None,
                    notify_email: str | None = None, notify_webhook: str | None = None) -> User:
    """The user's own settings (None leaves a field as it is); commits, or InvalidInput naming
    every bad field and nothing changed."""
    email = email.strip() if email is not None else None
    errors = {**email_errors(email),
              **channel_errors({"notify_email": notify_email, "notify_webhook": notify_webhook})}
    if errors:
        raise InvalidInput(errors)
    if email is not None:
        user.email = email
    if notify_email is not None:
        user.notify_email = notify_email
    if notify_webhook is not None:
        user.notify_webhook = notify_webhook
    uow.commit()
    return user
