"""Delivery without a database: settings from the environment, the backoff's growth, jitter and
cap, links made absolute, a Message-ID stable per idempotency key, the webhook body's shape."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from workflow.config import DeliverySettings, Settings
from workflow.delivery.mail import absolute_links, build_mail, message_id
from workflow.delivery.outbox import Claimed, backoff
from workflow.delivery.webhook import body


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("RECTIFY_MAIL", "SMTP")
    monkeypatch.setenv("RECTIFY_SMTP_HOST", "mail.example.org")
    monkeypatch.setenv("RECTIFY_SMTP_PORT", "587")
    monkeypatch.setenv("RECTIFY_SMTP_STARTTLS", "true")
    monkeypatch.setenv("RECTIFY_BASE_URL", "https://rectify.example.org/")
    monkeypatch.setenv("RECTIFY_DELIVERY_MAX_ATTEMPTS", "5")
    delivery = Settings.from_env().delivery
    assert (delivery.mail, delivery.smtp_host, delivery.smtp_port, delivery.smtp_starttls) == (
        "smtp", "mail.example.org", 587, True)
    assert delivery.base_url == "https://rectify.example.org"
    assert delivery.max_attempts == 5


def test_defaults_write_mail_to_files_and_link_to_the_local_app(monkeypatch):
    for name in ("RECTIFY_MAIL", "RECTIFY_BASE_URL", "RECTIFY_DELIVERY_MAX_ATTEMPTS"):
        monkeypatch.delenv(name, raising=False)
    delivery = DeliverySettings.from_env()
    assert (delivery.mail, delivery.base_url, delivery.max_attempts,
            delivery.backoff_seconds) == ("files", "http://127.0.0.1:5000", 8, 30.0)


def test_an_unknown_mail_backend_is_refused_at_start(monkeypatch):
    monkeypatch.setenv("RECTIFY_MAIL", "pigeon")
    with pytest.raises(ValueError, match="RECTIFY_MAIL"):
        DeliverySettings.from_env()


def test_the_backoff_doubles_within_its_jitter_and_stops_at_the_cap():
    settings = DeliverySettings(backoff_seconds=30, backoff_cap_seconds=3600)
    lowest = [backoff(n, settings, lambda low, high: low) for n in range(1, 10)]
    highest = [backoff(n, settings, lambda low, high: high) for n in range(1, 10)]
    assert highest[:4] == [timedelta(seconds=s) for s in (30, 60, 120, 240)]
    assert lowest[0] == timedelta(seconds=24)
    assert all(high < low_next for high, low_next in zip(highest[:6], lowest[1:7], strict=True))
    assert max(highest) == timedelta(hours=1)  # never beyond the cap, even with jitter
    assert backoff(10_000, settings) <= timedelta(hours=1)


def test_links_become_absolute_and_other_lines_stay():
    text = "F-1 Title\nsee /etc/passwd here\n/findings/7"
    assert absolute_links(text, "https://x.example/") == (
        "F-1 Title\nsee /etc/passwd here\nhttps://x.example/findings/7")


MESSAGE = Claimed(id=1, key="F-1:2:3:email", channel="email", attempts=1,
                  created_at=datetime(2026, 3, 2, 1, 0, tzinfo=UTC),
                  payload={"type": "rectify.ladder", "to": "a@example.org", "lang": "en",
                           "subject": "S", "text": "T\n/findings/9",
                           "recipient": {"username": "a", "display_name": "A"},
                           "data": {"finding_id": 9, "code": "F-1"}})


def test_the_message_id_is_one_per_key_and_a_valid_header():
    settings = DeliverySettings(mail_from="Rectify <noreply@rectify.example.org>")
    first, again = build_mail(MESSAGE, settings), build_mail(MESSAGE, settings)
    assert first["Message-ID"] == again["Message-ID"] == message_id(MESSAGE.key, settings)
    assert first["Message-ID"].endswith("@rectify.example.org>")
    assert message_id("F-1:2:4:email", settings) != first["Message-ID"]


def test_the_webhook_body_is_the_same_bytes_every_time():
    settings = DeliverySettings(base_url="https://x.example")
    document = json.loads(body(MESSAGE, settings))
    assert body(MESSAGE, settings) == body(MESSAGE, settings)
    assert document == {"type": "rectify.ladder", "timestamp": "2026-03-02T01:00:00Z", "data": {
        "finding_id": 9, "code": "F-1", "recipient": {"username": "a", "display_name": "A"},
        "lang": "en", "subject": "S", "text": "T\nhttps://x.example/findings/9",
        "url": "https://x.example/findings/9"}}
