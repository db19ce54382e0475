"""Webhook endpoints for admins: add one (its signing secret generated and shown once), list
them, deactivate one (messages not yet sent to it are then dead-lettered, not sent)."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sqlalchemy import select

from workflow.errors import InvalidInput
from workflow.models import User, WebhookEndpoint
from workflow.services.permissions import require
from workflow.text import TextRefused, as_id, clean_text

if TYPE_CHECKING:
    from workflow.runtime import UnitOfWork

URL_MAX, DESCRIPTION_MAX = 2000, 200
Errors = dict[str, dict[str, str]]
_URL = {"zh": "请填写以 https:// 或 http:// 开头的完整地址（含主机名）。",
        "en": "Enter a full address starting with https:// or http://, with a host."}
_NO_ENDPOINT = {"zh": "该接收地址不存在或已停用。", "en": "There is no such endpoint, or it is inactive."}


def new_secret() -> str:
    """A signing secret as Standard Webhooks writes them: whsec_ + base64 of 24 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def list_endpoints(uow: UnitOfWork, actor: User) -> list[WebhookEndpoint]:
    """Every endpoint, active ones first (their secrets are never shown again)."""
    require(actor, "manage_notifications")
    return list(uow.session.scalars(select(WebhookEndpoint)
                                    .order_by(WebhookEndpoint.active.desc(), WebhookEndpoint.id)))


def add_endpoint(uow: UnitOfWork, actor: User,
                 data: Mapping[str, Any]) -> tuple[WebhookEndpoint, str]:
    """Add an endpoint (every field checked at once); commits. Returns it and its secret, which
    the admin copies now: it is not shown again."""
    require(actor, "manage_notifications")
    errors: Errors = {}
    url = _checked(data.get("url"), "url", URL_MAX, True, errors)
    description = _checked(data.get("description"), "description", DESCRIPTION_MAX, False, errors)
    if "url" not in errors and not _is_web_address(url):
        errors["url"] = _URL
    for name in sorted(set(data) - {"url", "description"}):
        errors[name] = {"zh": "没有这个字段。", "en": "There is no such field."}
    if errors:
        raise InvalidInput(errors)
    secret = new_secret()
    endpoint = WebhookEndpoint(url=url, secret=secret, description=description, active=True,
                               created_at=uow.now())
    uow.session.add(endpoint)
    uow.session.flush()
    uow.commit()
    return endpoint, secret


def deactivate_endpoint(uow: UnitOfWork, actor: User, endpoint_id: Any) -> WebhookEndpoint:
    """Stop sending to an endpoint (it stays listed, inactive); commits."""
    require(actor, "manage_notifications")
    number = as_id(endpoint_id)
    endpoint = uow.session.get(WebhookEndpoint, number) if number else None
    if endpoint is None or not endpoint.active:
        raise InvalidInput({"endpoint_id": _NO_ENDPOINT})
    endpoint.active = False
    uow.commit()
    return endpoint


def _checked(raw: Any, name: str, limit: int, required: bool, errors: Errors) -> str:
    """The field as clean single-line text (workflow.text), or "" with its error recorded."""
    if raw is not None and not isinstance(raw, str):
        errors[name] = {"zh": "应为文本。", "en": "Enter text."}
        return ""
    try:
        text = clean_text(raw or "", required=required).strip()
    except TextRefused as refused:
        errors[name] = refused.message
        return ""
    if len(text) > limit:
        errors[name] = {"zh": f"最多 {limit} 个字符。", "en": f"Enter at most {limit} characters."}
    return text


def _is_web_address(url: str) -> bool:
    if any(ch.isspace() for ch in url):
        return False
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port out of range
    except ValueError:
        return False
    return parts.scheme in {"http", "https"} and bool(parts.hostname)
