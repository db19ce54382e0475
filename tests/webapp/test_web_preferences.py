"""Notification settings on My account (e-mail address, e-mail and webhook each immediate,
daily digest or off) and the e-mail field of the admin's user form: a bad value is a field error
in zh and in en and changes nothing; good values are saved."""

from __future__ import annotations

import pytest
from web_support import assert_error, text_of

from workflow.models import User

ZH_BAD_EMAIL = "电子邮箱地址无效（例如 name@example.cn）。"
EN_BAD_EMAIL = "Enter an e-mail address like name@example.org."


def settings_of(rectify, user) -> tuple[str, str, str]:
    with rectify.unit_of_work(write=False) as uow:
        row = uow.session.get(User, user.id)
        return row.email, row.notify_email, row.notify_webhook


@pytest.mark.parametrize(("lang", "expected"), [("zh_CN", ZH_BAD_EMAIL), ("en", EN_BAD_EMAIL)])
@pytest.mark.parametrize("email", ["not-an-address", "a@b", "two@@example.org",
                                   "a b@example.org", "x@example..org", "a@example.o"])
def test_a_bad_email_is_a_field_error_in_the_users_language_and_changes_nothing(
        browser, rectify, org, lang, expected, email):
    client = browser("handler_a")
    client.post("/language", data={"lang": lang})
    before = settings_of(rectify, org.handler_a)
    page = client.post("/account/preferences", data={
        "email": email, "notify_email": "immediate", "notify_webhook": "off"})
    assert page.status_code == 422
    assert expected in text_of(page)
    assert settings_of(rectify, org.handler_a) == before == ("", "digest", "immediate")


def test_every_bad_field_is_named_at_once(browser, rectify, org):
    client = browser("handler_a")
    client.post("/language", data={"lang": "en"})
    page = client.post("/account/preferences", data={
        "email": "nope", "notify_email": "hourly", "notify_webhook": "sometimes"})
    assert page.status_code == 422
    assert text_of(page).count("Choose immediate, digest or off.") == 2
    assert EN_BAD_EMAIL in text_of(page)
    assert settings_of(rectify, org.handler_a) == ("", "digest", "immediate")


def test_good_settings_are_saved_and_shown(browser, rectify, org):
    client = browser("handler_a")
    saved = client.post("/account/preferences", data={
        "email": " liaison@example.org ", "notify_email": "immediate", "notify_webhook": "off"})
    assert saved.status_code == 302
    assert settings_of(rectify, org.handler_a) == ("liaison@example.org", "immediate", "off")
    page = text_of(client.get("/account"))
    assert 'value="liaison@example.org"' in page and '<option value="off" selected>' in page
    assert client.post("/account/preferences", data={"email": ""}).status_code == 302
    assert settings_of(rectify, org.handler_a) == ("", "immediate", "off")  # channels kept


def test_the_admin_sets_a_users_email_on_the_page_and_in_the_api(browser, api, rectify, org):
    admin = browser("admin")
    url = f"/admin/users/{org.handler_b.id}"
    form = {"display_name": "乙", "roles": "handler", "unit": str(org.group_b.id),
            "language": "zh_CN", "active": "1"}
    refused = admin.post(url, data={**form, "email": "b@"})
    assert refused.status_code == 422 and ZH_BAD_EMAIL in text_of(refused)
    assert settings_of(rectify, org.handler_b)[0] == ""
    assert admin.post(url, data={**form, "email": "b@example.cn"}).status_code == 302
    assert settings_of(rectify, org.handler_b)[0] == "b@example.cn"
    error = assert_error(api.patch(f"/api/v1/users/{org.handler_b.id}", org.admin,
                                   json={"email": "b@@x"}), 422)
    assert set(error["errors"]) == {"email"}
    assert api.patch(f"/api/v1/users/{org.handler_b.id}", org.admin,
                     json={"email": ""}).get_json()["email"] == ""


def test_the_admin_gives_a_new_user_an_email_on_the_page_and_in_the_api(browser, api, rectify,
                                                                         org):
    from sqlalchemy import select

    def stored(username):
        with rectify.unit_of_work(write=False) as uow:
            user = uow.session.scalars(select(User).where(User.username == username)).first()
            return None if user is None else user.email

    admin = browser("admin")
    form = {"username": "new_handler", "display_name": "新", "password": "a-long-passphrase",
            "roles": "handler", "unit": str(org.group_b.id), "language": "zh_CN"}
    refused = admin.post("/admin/users", data={**form, "email": "x@"})
    assert refused.status_code == 422 and ZH_BAD_EMAIL in text_of(refused)
    assert stored("new_handler") is None  # nothing created
    assert admin.post("/admin/users", data={**form, "email": "n@example.cn"}).status_code == 302
    assert stored("new_handler") == "n@example.cn"
    body = {"username": "api_handler", "display_name": "API", "password": "a-long-passphrase",
            "roles": ["handler"], "unit_id": org.group_b.id}
    error = assert_error(api.post("/api/v1/users", org.admin, json={**body, "email": "a@@b"}), 422)
    assert set(error["errors"]) == {"email"} and stored("api_handler") is None
    made = api.post("/api/v1/users", org.admin, json={**body, "email": "a@example.cn"})
    assert made.status_code == 201 and made.get_json()["email"] == "a@example.cn"
    assert stored("api_handler") == "a@example.cn"
