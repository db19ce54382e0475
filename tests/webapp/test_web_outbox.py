"""The admin's outbox and webhook pages: admins only (403 for everyone else), CSRF on every
write, dead letters first with their error and a Retry that puts them back in line, endpoints
added with field errors for bad addresses and a secret shown once, deactivated on request."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select
from standardwebhooks import Webhook
from web_support import csrf_token_of, login, text_of, ui

from workflow.models import OutboxMessage, WebhookEndpoint

PAGES = ("/admin/outbox", "/admin/webhooks")
WRITES = (("/admin/outbox/retry", {"message_id": "1"}),
          ("/admin/webhooks", {"url": "https://hooks.example.org/x"}),
          ("/admin/webhooks/deactivate", {"endpoint_id": "1"}))


def in_english(client):
    client.post("/language", data={"lang": "en"})
    return client


def add_message(rectify, key: str, status: str, error: str = "", attempts: int = 8) -> int:
    with rectify.unit_of_work() as uow:
        row = OutboxMessage(idempotency_key=key, channel="email", payload={
            "to": "a@example.org", "subject": f"Subject of {key}"}, status=status,
            attempts=attempts, next_attempt_at=uow.now(), last_error=error, created_at=uow.now())
        uow.session.add(row)
        uow.commit()
        return row.id


def endpoints(rectify) -> list[WebhookEndpoint]:
    with rectify.unit_of_work(write=False) as uow:
        found = list(uow.session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)))
        uow.session.expunge_all()
        return found


@pytest.mark.parametrize("username", ["supervisor", "inspector", "reviewer", "handler_a"])
def test_everyone_but_admins_gets_403_on_every_page_and_write(browser, rectify, username):
    add_message(rectify, "k:dead", "dead", "HTTP 500")
    client = browser(username)
    for page in PAGES:
        assert client.get(page).status_code == 403
    for url, data in WRITES:
        assert client.post(url, data=data).status_code == 403
    assert endpoints(rectify) == []
    with rectify.unit_of_work(write=False) as uow:
        assert uow.session.scalar(select(OutboxMessage.status)) == "dead"


def test_the_outbox_lists_dead_letters_first_with_their_error_and_retries_one(browser, rectify):
    sent = add_message(rectify, "k:sent", "sent", attempts=1)
    dead = add_message(rectify, "k:dead", "dead", "HTTP 500: upstream down")
    pending = add_message(rectify, "k:pending", "pending", attempts=0)
    admin = in_english(browser("admin"))
    page = text_of(admin.get("/admin/outbox"))
    assert page.index("k:dead") < page.index("k:pending") < page.index("k:sent")
    assert "HTTP 500: upstream down" in page
    assert "Dead letters (1)" in page
    assert len(re.findall(r'name="message_id" value="(\d+)"', page)) == 1  # Retry: dead only
    only_dead = text_of(admin.get("/admin/outbox?status=dead"))
    assert "k:dead" in only_dead and "k:sent" not in only_dead
    answer = admin.post("/admin/outbox/retry", data={"message_id": str(dead)})
    assert answer.status_code == 302
    with rectify.unit_of_work(write=False) as uow:
        row = uow.session.get(OutboxMessage, dead)
        assert (row.status, row.attempts) == ("pending", 0)
    for other in (sent, pending, "x", "99999999999"):
        refused = admin.post("/admin/outbox/retry", data={"message_id": str(other)})
        assert refused.status_code == 422
        assert "not a dead letter" in text_of(refused)
    with rectify.unit_of_work(write=False) as uow:
        assert uow.session.get(OutboxMessage, sent).status == "sent"


def test_an_endpoint_is_added_and_its_secret_shown_once(app, browser, rectify):
    admin = in_english(browser("admin"))
    answer = admin.post("/admin/webhooks", data={"url": "https://hooks.example.org/rectify",
                                                 "description": "WeChat Work bridge"})
    assert answer.status_code == 201
    shown = re.search(r"whsec_[A-Za-z0-9+/=]+", text_of(answer)).group(0)
    [endpoint] = endpoints(rectify)
    assert (endpoint.url, endpoint.description, endpoint.active) == (
        "https://hooks.example.org/rectify", "WeChat Work bridge", True)
    assert endpoint.secret == shown and len(Webhook(shown)._whsecret) == 24
    again = text_of(admin.get("/admin/webhooks"))
    assert "https://hooks.example.org/rectify" in again
    assert shown not in again and "whsec_" not in again
    second = admin.post("/admin/webhooks", data={"url": "http://127.0.0.1:8080/in"})
    assert re.search(r"whsec_[A-Za-z0-9+/=]+", text_of(second)).group(0) != shown


@pytest.mark.parametrize("url", ["ftp://hooks.example.org/x", "javascript:alert(1)", "http://",
                                 "hooks.example.org/x", "https://exa mple.org/x",
                                 "https://example.org:99999/x", "https://x.org/" + "a" * 2000,
                                 "", "   "])
def test_a_bad_address_is_a_field_error_and_nothing_is_added(browser, rectify, url):
    admin = in_english(browser("admin"))
    answer = admin.post("/admin/webhooks", data={"url": url, "description": "kept"})
    assert answer.status_code == 422
    page = html.unescape(text_of(answer))
    assert re.search(r'<p class="error" role="alert">[^<]+</p>', page)
    assert 'value="kept"' in page
    assert endpoints(rectify) == []


def test_a_bidi_override_in_the_address_is_refused_and_nothing_is_added(browser, rectify):
    answer = browser("admin").post("/admin/webhooks", data={"url": "https://x.org/\u202ex"})
    assert answer.status_code == 422
    assert endpoints(rectify) == []


def test_a_description_too_long_is_a_field_error(browser, rectify):
    admin = in_english(browser("admin"))
    answer = admin.post("/admin/webhooks", data={"url": "https://x.org/h",
                                                 "description": "d" * 201})
    assert answer.status_code == 422
    assert "Enter at most 200 characters." in text_of(answer)
    assert endpoints(rectify) == []


def test_an_endpoint_is_deactivated(browser, rectify):
    admin = browser("admin")
    admin.post("/admin/webhooks", data={"url": "https://x.org/h"})
    [endpoint] = endpoints(rectify)
    assert admin.post("/admin/webhooks/deactivate",
                      data={"endpoint_id": str(endpoint.id)}).status_code == 302
    assert endpoints(rectify)[0].active is False
    assert admin.post("/admin/webhooks/deactivate",
                      data={"endpoint_id": str(endpoint.id)}).status_code == 422


def test_every_write_needs_the_csrf_token(make_app, rectify):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    token = csrf_token_of(text_of(client.get("/login")))
    assert login(client, "admin", csrf_token=token).status_code == 302
    dead = add_message(rectify, "k:dead", "dead", "HTTP 500")
    for url, data in WRITES:
        assert client.post(url, data={**data, "message_id": str(dead)}).status_code == 400
    assert endpoints(rectify) == []
    with rectify.unit_of_work(write=False) as uow:
        assert uow.session.get(OutboxMessage, dead).status == "dead"
    token = csrf_token_of(text_of(client.get("/admin/outbox")))
    assert client.post("/admin/outbox/retry", data={"message_id": str(dead),
                                                    "csrf_token": token}).status_code == 302
    assert client.post("/admin/webhooks", data={"url": "https://x.org/h",
                                                "csrf_token": token}).status_code == 201


def test_the_pages_speak_chinese_and_the_admin_nav_links_them(app, browser, rectify):
    add_message(rectify, "k:dead", "dead", "HTTP 500")
    admin = browser("admin")  # the admin reads zh_CN
    users = text_of(admin.get("/admin/users"))
    assert 'href="/admin/outbox"' in users and 'href="/admin/webhooks"' in users
    page = text_of(admin.get("/admin/outbox"))
    for text in ("Outbox", "Dead letters", "Retry", "Last error"):
        assert ui(app, text) != text and ui(app, text) in page
    hooks = text_of(admin.get("/admin/webhooks"))
    assert ui(app, "New endpoint") in hooks and ui(app, "New endpoint") != "New endpoint"
    with rectify.unit_of_work(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
