"""Webhooks per Standard Webhooks: a JSON body {type, timestamp, data} POSTed with the
webhook-id (the idempotency key), webhook-timestamp and webhook-signature headers."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import UTC, datetime
from typing import Any

from standardwebhooks import Webhook

from workflow.config import DeliverySettings
from workflow.delivery.mail import Undeliverable, absolute_links
from workflow.delivery.outbox import Claimed


class DeliveryFailed(Exception):
    """The receiver did not take the message (an answer other than 2xx, or no answer)."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect would turn the POST into a GET without the body: count it as a failure."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def body(message: Claimed, settings: DeliverySettings) -> bytes:
    """The same bytes on every attempt: the facts, the recipient and the rendered text."""
    payload = message.payload
    data: dict[str, Any] = {**payload.get("data", {}), "recipient": payload.get("recipient"),
                            "lang": payload.get("lang"), "subject": payload.get("subject"),
                            "text": absolute_links(str(payload.get("text", "")), settings.base_url)}
    if data.get("finding_id"):
        data["url"] = f"{settings.base_url.rstrip('/')}/findings/{data['finding_id']}"
    document = {"type": payload.get("type", ""),
                "timestamp": message.created_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
                "data": data}
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def post(message: Claimed, settings: DeliverySettings, sent_at: datetime | None = None) -> None:
    """POST the signed message to its endpoint; DeliveryFailed unless the answer is 2xx.

    The timestamp is this attempt's moment on the wall clock (receivers compare it with theirs
    to refuse replays), not the engine's clock."""
    if not message.endpoint_active:
        raise Undeliverable("the webhook endpoint was deactivated")
    content = body(message, settings)
    moment = sent_at or datetime.now(UTC)
    headers = {"Content-Type": "application/json", "User-Agent": "Rectify-Webhooks/1",
               "webhook-id": message.key, "webhook-timestamp": str(int(moment.timestamp())),
               "webhook-signature": Webhook(message.secret).sign(message.key, moment,
                                                                 content.decode())}
    request = urllib.request.Request(message.url, data=content, headers=headers, method="POST")
    try:
        with _OPENER.open(request, timeout=settings.webhook_timeout) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        raise DeliveryFailed(f"HTTP {exc.code}: {_snippet(exc)}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise DeliveryFailed(f"no answer: {exc}") from None
    if not 200 <= status < 300:
        raise DeliveryFailed(f"HTTP {status}")


def _snippet(exc: urllib.error.HTTPError) -> str:
    try:
        return exc.read(300).decode("utf-8", "replace").strip()
    except OSError:
        return ""
    finally:
        exc.close()
