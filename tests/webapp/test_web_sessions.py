"""Sessions end when they should: logout, reactivation, role and unit changes, idle and absolute
lifetimes (remember-me cookies too); bearer tokens expire and show their last use; the login
lockout holds across app instances on one database; the account page changes a password."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_login.utils import encode_cookie
from sqlalchemy import event
from web_support import PASSWORD, assert_error, build_app, login, text_of, ui

from workflow.runtime import Rectify

SESSION = "session"


def stolen(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of the client's session cookie (a replay)."""
    cookie = client.get_cookie(SESSION)
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie(SESSION, cookie.value)
    return thief


def logged_out(client: FlaskClient) -> bool:
    response = client.get("/work")
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


# --- the session version ---------------------------------------------------------------------


def test_a_session_cookie_replayed_after_logout_is_refused(app, browser):
    client = browser("handler_a")
    thief = stolen(app, client)
    assert thief.get("/work").status_code == 200  # the copy works while the session lives
    assert client.post("/logout").status_code == 302
    assert logged_out(thief)
    assert logged_out(client)


def test_logout_ends_this_browser_and_everywhere_ends_them_all(app, browser):
    phone, desktop = browser("handler_a"), browser("handler_a")
    phone_copy = stolen(app, phone)
    assert phone.post("/logout").status_code == 302
    assert logged_out(phone) and logged_out(phone_copy)
    assert desktop.get("/work").status_code == 200  # the other device stays logged in
    laptop = browser("handler_a")
    assert laptop.post("/logout/everywhere").status_code == 302
    assert logged_out(laptop) and logged_out(desktop)


def test_a_remember_me_cookie_is_refused(app, browser, org):
    client = browser("handler_a")
    with client.session_transaction() as session:
        user_id = session["_user_id"]
    with app.test_request_context():
        remember = encode_cookie(user_id)  # validly signed, but names no session row
    replay = app.test_client()
    replay.set_cookie("remember_token", remember)
    assert logged_out(replay)
    assert client.get("/work").status_code == 200


def test_a_reactivated_users_old_cookies_stay_dead(app, api, browser, client, org):
    before = browser("handler_b")
    old = stolen(app, before)
    for active in (False, True):
        assert api.patch(f"/api/v1/users/{org.handler_b.id}", org.admin,
                         json={"active": active}).status_code == 200
    assert logged_out(old)
    assert logged_out(before)
    assert login(client, "handler_b").status_code == 302  # a fresh login works again


@pytest.mark.parametrize("change", [{"roles": ["handler", "reviewer"]}, {"unit": "sub_b1"},
                                    {"password": "another-long-secret"}])
def test_role_unit_or_password_changes_end_the_users_sessions(api, browser, org, change):
    client = browser("handler_b")
    if "unit" in change:
        change = {"unit_id": org.units[change.pop("unit")].id}
    assert api.patch(f"/api/v1/users/{org.handler_b.id}", org.admin,
                     json=change).status_code == 200
    assert logged_out(client)


def test_a_display_name_change_keeps_the_session(api, browser, org):
    client = browser("handler_b")
    assert api.patch(f"/api/v1/users/{org.handler_b.id}", org.admin,
                     json={"display_name": "新名字"}).status_code == 200
    assert client.get("/work").status_code == 200


# --- lifetimes -------------------------------------------------------------------------------


def test_a_session_idle_longer_than_the_idle_lifetime_ends(make_app, clock, org):
    app = make_app(SESSION_IDLE_MINUTES=30)
    client = app.test_client()
    assert login(client, "handler_a").status_code == 302
    for _ in range(3):  # activity keeps it alive past the idle lifetime in total
        clock.advance(minutes=29)
        assert client.get("/work").status_code == 200
    clock.advance(minutes=31)
    assert logged_out(client)


def test_a_session_ends_at_the_absolute_lifetime_however_active(make_app, clock, org):
    app = make_app(SESSION_MAX_HOURS=2, SESSION_IDLE_MINUTES=120)
    client = app.test_client()
    assert login(client, "handler_a").status_code == 302
    for _ in range(3):
        clock.advance(minutes=39)
        assert client.get("/work").status_code == 200
    clock.advance(minutes=4)  # 2 h 1 min after login
    assert logged_out(client)


def test_the_default_lifetimes_are_two_hours_idle_and_twelve_hours_in_all(app, browser, clock):
    assert (app.config["SESSION_IDLE_MINUTES"], app.config["SESSION_MAX_HOURS"]) == (120, 12)
    client = browser("handler_a")
    clock.advance(minutes=121)
    assert logged_out(client)


# --- bearer tokens ---------------------------------------------------------------------------


def token_for(client: FlaskClient, username: str, **extra: Any) -> dict[str, Any]:
    response = client.post("/api/v1/auth/token",
                           json={"username": username, "password": PASSWORD, **extra})
    assert response.status_code == 201, text_of(response)
    body: dict[str, Any] = response.get_json()
    return body


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_tokens_expire_after_90_days_by_default(client, clock, org):
    body = token_for(client, "inspector")
    assert body["expires_at"].startswith("2026-05-31T01:00")  # 90 days after 2026-03-02 01:00
    clock.advance(days=89, hours=23)
    assert client.get("/api/v1/units", headers=bearer(body["token"])).status_code == 200
    clock.advance(hours=1)
    assert_error(client.get("/api/v1/units", headers=bearer(body["token"])), 401)


def test_a_token_may_ask_for_a_shorter_life_never_a_longer_one(make_app, client, clock, org):
    short = token_for(client, "inspector", expires_in_days=1)["token"]
    clock.advance(days=1)
    assert_error(client.get("/api/v1/units", headers=bearer(short)), 401)
    longer = client.post("/api/v1/auth/token", json={"username": "inspector",
                                                     "password": PASSWORD, "expires_in_days": 91})
    assert "expires_in_days" in assert_error(longer, 422)["errors"]
    capped = make_app(TOKEN_DAYS=7).test_client()
    assert_error(capped.post("/api/v1/auth/token", json={
        "username": "inspector", "password": PASSWORD, "expires_in_days": 8}), 422)


def test_last_use_is_recorded_at_most_once_a_minute_and_shown(client, browser, clock, org):
    token = token_for(client, "inspector", label="laptop")["token"]

    def listed() -> dict[str, Any]:
        rows = client.get("/api/v1/auth/tokens", headers=bearer(token)).get_json()
        assert [r["label"] for r in rows] == ["laptop"]
        return dict(rows[0])

    first = listed()["last_used_at"]
    assert first.startswith("2026-03-02T01:00:00")
    clock.advance(seconds=30)
    assert listed()["last_used_at"] == first  # within the minute: not written again
    clock.advance(seconds=31)
    assert listed()["last_used_at"].startswith("2026-03-02T01:01:01")
    page = text_of(browser("inspector").get("/account"))
    # 01:01 and 01:00 UTC are 09:01 and 09:00 in the organisation's zone (Asia/Shanghai)
    assert "laptop" in page and "2026年3月2日 09:01" in page and "2026年5月31日 09:00" in page


def test_a_read_within_the_minute_of_the_last_use_writes_nothing(client, browser, rectify, clock):
    token = token_for(client, "inspector")["token"]
    reader = browser("inspector")
    assert client.get("/api/v1/findings", headers=bearer(token)).status_code == 200
    assert reader.get("/work").status_code == 200  # both uses recorded at 01:00
    clock.advance(seconds=59)
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        statements.append(" ".join(statement.split()).upper())

    event.listen(rectify.database.engine, "before_cursor_execute", seen)
    try:
        assert client.get("/api/v1/findings", headers=bearer(token)).status_code == 200
        assert reader.get("/work").status_code == 200
    finally:
        event.remove(rectify.database.engine, "before_cursor_execute", seen)
    assert any("FROM API_TOKENS" in s for s in statements)  # the token was read ...
    assert any("FROM LOGIN_SESSIONS" in s for s in statements)  # ... and the session
    assert not [s for s in statements if s.startswith(("UPDATE", "BEGIN IMMEDIATE"))]


def test_a_write_with_a_token_records_its_use_too(client, clock, org):
    token = token_for(client, "admin")["token"]
    clock.advance(minutes=5)
    created = client.post("/api/v1/campaigns", headers=bearer(token), json={
        "name": "专项检查", "starts_on": "2026-03-02", "organiser_id": org.commission.id})
    assert created.status_code == 201
    rows = client.get("/api/v1/auth/tokens", headers=bearer(token)).get_json()
    assert rows[0]["last_used_at"].startswith("2026-03-02T01:05")


def test_a_user_revokes_a_token_from_the_account_page(client, browser, org):
    token = token_for(client, "inspector")["token"]
    page = browser("inspector")
    token_id = client.get("/api/v1/auth/tokens", headers=bearer(token)).get_json()[0]["id"]
    other = browser("handler_a")
    assert other.post(f"/account/tokens/{token_id}/revoke").status_code == 403  # not theirs: refused
    assert client.get("/api/v1/units", headers=bearer(token)).status_code == 200  # still works
    assert page.post(f"/account/tokens/{token_id}/revoke").status_code == 302
    assert_error(client.get("/api/v1/units", headers=bearer(token)), 401)


# --- the login lockout -----------------------------------------------------------------------


def test_the_lockout_holds_across_two_app_instances_on_one_database(rectify, tmp_path, clock,
                                                                     make_app):
    first = make_app().test_client()
    # A second process's worth: its own engine, connection pool and app over the same database.
    other = Rectify(replace(rectify.settings, instance_path=tmp_path / "other"), clock=clock,
                    registry=rectify.registry)
    try:
        second = build_app(other).test_client()
        statuses = [login(client, "inspector", "wrong-password").status_code
                    for client in (first, second, first, second, first)]
        assert statuses == [401] * 5
        locked = login(second, "inspector")  # the right password, on the other instance
        assert locked.status_code == 429
        clock.advance(minutes=1)
        assert login(second, "inspector").status_code == 302
    finally:
        other.database.dispose()


def test_the_token_endpoint_follows_the_same_lockout(app, client, clock, org):
    for _ in range(5):
        assert_error(client.post("/api/v1/auth/token", json={"username": "inspector",
                                                             "password": "wrong-password"}), 401)
    locked = assert_error(client.post("/api/v1/auth/token", json={"username": "inspector",
                                                                  "password": PASSWORD}), 429)
    assert locked["message"] == ui(app, "Too many failed attempts: this account is locked for "
                                        "%(minutes)s more minute(s).", minutes=1)
    assert login(client, "inspector").status_code == 429  # the page says the same
    clock.advance(seconds=61)
    assert client.post("/api/v1/auth/token", json={"username": "inspector",
                                                   "password": PASSWORD}).status_code == 201


def test_a_disabled_account_is_told_so_by_the_token_endpoint_only_with_its_password(app, api,
                                                                                     client, org):
    api.patch(f"/api/v1/users/{org.handler_b.id}", org.admin, json={"active": False})
    body = assert_error(client.post("/api/v1/auth/token", json={"username": "handler_b",
                                                                "password": PASSWORD}), 403)
    assert body["message"] == ui(app, "This account is disabled. Ask an administrator.")
    wrong = assert_error(client.post("/api/v1/auth/token", json={"username": "handler_b",
                                                                 "password": "x"}), 401)
    assert wrong["message"] == ui(app, "Wrong username or password.")


# --- the account page ------------------------------------------------------------------------


def test_changing_ones_password_keeps_this_session_and_ends_the_others(app, browser, client):
    here, elsewhere = browser("handler_a"), browser("handler_a")
    response = here.post("/account", data={"current_password": PASSWORD,
                                           "password": "a-fresh-long-secret"})
    assert response.status_code == 302
    assert here.get("/work").status_code == 200
    assert logged_out(elsewhere)
    assert login(client, "handler_a", "a-fresh-long-secret").status_code == 302


@pytest.mark.parametrize(("current", "new", "field", "en"), [
    ("wrong-current-pw", "a-fresh-long-secret", "current_password", "The current password is wrong."),
    (PASSWORD, "short", "password", "The password needs at least 10 characters."),
    (PASSWORD, "Handler_A-2026", "password", "The password must not contain the username."),
    (PASSWORD, "password1234", "password", "This password is too common: choose another one."),
])
def test_a_refused_password_change_names_the_field_and_changes_nothing(make_app, client, org,
                                                                       current, new, field, en):
    app = make_app()
    here = app.test_client()
    login(here, "handler_a")
    here.post("/language", data={"lang": "en"})
    response = here.post("/account", data={"current_password": current, "password": new})
    assert response.status_code == 422
    assert en in text_of(response)
    assert here.get("/work").status_code == 200
    assert login(app.test_client(), "handler_a").status_code == 302  # the old password stands
