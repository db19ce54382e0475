"""The account page's sessions (listed, ended one by one, CSRF, another user's refused), where
each user lands after login, and the admin's user search."""

from __future__ import annotations

import re

from test_web_security import assert_csrf_refusal, logged_in_with_csrf
from web_support import PASSWORD, login, text_of


def on(app, agent: str, username: str = "handler_a"):
    """A browser with its own user agent, logged in."""
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = agent
    assert login(client, username).status_code == 302
    return client


def session_ids(html: str) -> dict[str, int]:
    """The sessions the account page lists: device -> id."""
    rows = re.findall(r'<td title="([^"]*)">.*?/account/sessions/(\d+)/end', html, re.S)
    return {agent: int(number) for agent, number in rows}


def test_ending_a_session_logs_that_browser_out_and_only_that_one(app):
    phone, desktop = on(app, "Phone"), on(app, "Desktop")
    listed = session_ids(text_of(desktop.get("/account")))
    assert set(listed) == {"Phone", "Desktop"}
    stranger = on(app, "Elsewhere", "handler_b")
    assert stranger.post(f"/account/sessions/{listed['Phone']}/end").status_code == 403
    assert phone.get("/work").status_code == 200  # refused: the phone is still in
    assert desktop.post(f"/account/sessions/{listed['Phone']}/end").status_code == 302
    assert phone.get("/work").status_code == 302  # to the login page
    assert desktop.get("/work").status_code == 200
    assert set(session_ids(text_of(desktop.get("/account")))) == {"Desktop"}


def test_ending_a_session_needs_the_csrf_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    client, token = logged_in_with_csrf(app, "handler_a")
    (session_id,) = session_ids(text_of(client.get("/account"))).values()
    assert_csrf_refusal(app, client.post(f"/account/sessions/{session_id}/end"))
    assert client.get("/work").status_code == 200
    ended = client.post(f"/account/sessions/{session_id}/end", data={"csrf_token": token})
    assert ended.status_code == 302 and client.get("/work").status_code == 302


def test_an_admin_lands_on_the_directory_and_others_on_my_work(app, client):
    assert login(client, "admin").headers["Location"] == "/admin/units"
    assert client.get("/").headers["Location"] == "/admin/units"
    assert login(app.test_client(), "inspector").headers["Location"] == "/work"
    asked = app.test_client().post("/login?next=/ledger",
                                   data={"username": "admin", "password": PASSWORD})
    assert asked.headers["Location"] == "/ledger"  # a page asked for still wins


def test_the_admin_filters_users_by_unit_and_role_and_others_may_not(browser, org):
    admin = browser("admin")
    page = text_of(admin.get(f"/admin/users?in_unit={org.group_a.id}&role=reviewer&q=a"))
    listed = re.findall(r'/admin/users/\d+">([^<]+)</a>', page)
    assert listed == ["handler_reviewer_a"]
    assert admin.get("/admin/users?role=boss&page=x").status_code == 422
    assert browser("supervisor").get("/admin/users?role=reviewer").status_code == 403
