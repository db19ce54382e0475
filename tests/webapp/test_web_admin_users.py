"""The admin's user forms: one username rule with the API, every field error at once, every
choice kept after an error, and the last active admin protected on the page as in the API."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from web_support import assert_error, picked_id, text_of

from workflow.models import User


def usernames(rectify) -> set[str]:
    with rectify.unit_of_work(write=False) as uow:
        return set(uow.session.scalars(select(User.username)))


def in_english(client):
    client.post("/language", data={"lang": "en"})
    return client


@pytest.mark.parametrize("username", ["with space <b>", "x" * 65])
def test_the_page_and_the_api_refuse_the_same_usernames(browser, api, rectify, org, username):
    admin = in_english(browser("admin"))
    before = usernames(rectify)
    page = admin.post("/admin/users", data={
        "username": username, "display_name": "M", "password": "a-long-secret-pw",
        "roles": "handler", "unit": str(org.group_a.id), "language": "zh_CN"})
    assert page.status_code == 422
    assert "lower-case letters, digits" in text_of(page)
    refused = api.post("/api/v1/users", org.admin, json={
        "username": username, "display_name": "M", "password": "a-long-secret-pw",
        "roles": ["handler"], "unit_id": org.group_a.id})
    assert "username" in assert_error(refused, 422)["errors"]
    assert usernames(rectify) == before


def test_a_refused_new_user_keeps_every_choice_and_reports_every_error(browser, rectify, org):
    admin = in_english(browser("admin"))
    page = admin.post("/admin/users", data={
        "username": "bad name", "display_name": "Someone", "password": "short",
        "roles": ["inspector", "reviewer"], "unit": str(org.sub_a2.id), "language": "en"})
    assert page.status_code == 422
    html = text_of(page)
    assert "lower-case letters, digits" in html and "The password needs at least 10" in html
    checked = set(re.findall(r'name="roles" value="(\w+)" checked', html))
    assert checked == {"inspector", "reviewer"}
    assert '<option value="en" selected>' in html
    assert picked_id(html, "unit") == str(org.sub_a2.id)
    assert "bad name" not in usernames(rectify)


def test_the_page_cannot_demote_the_last_admin_and_keeps_the_form(browser, rectify, org):
    admin = in_english(browser("admin"))
    page = admin.post(f"/admin/users/{org.admin.id}", data={
        "display_name": "Renamed", "roles": ["supervisor"], "unit": str(org.commission.id),
        "language": "en", "active": "1"})
    assert page.status_code == 422
    html = text_of(page)
    assert "The last active admin cannot lose the admin role" in html
    assert set(re.findall(r'name="roles" value="(\w+)" checked', html)) == {"supervisor"}
    assert 'value="Renamed"' in html
    with rectify.unit_of_work(write=False) as uow:
        stored = uow.session.get(User, org.admin.id)
        assert stored is not None and (stored.roles, stored.display_name) == ("admin", "系统管理员")


def test_the_api_cannot_deactivate_the_last_admin(api, org):
    refused = api.patch(f"/api/v1/users/{org.admin.id}", org.admin, json={"active": False})
    assert "active" in assert_error(refused, 422)["errors"]


def test_the_system_account_is_not_listed_and_nobody_may_change_it(browser, api, rectify, org):
    from workflow.services.system import system_user

    with rectify.unit_of_work() as uow:
        system = system_user(uow.session)
        uow.commit()
        system_id, before = system.id, (system.active, system.roles, system.password_hash)
    assert "system" not in {u["username"] for u in api.get("/api/v1/users", org.admin).get_json()}
    assert f"/admin/users/{system_id}\"" not in text_of(browser("admin").get("/admin/users"))
    refused = api.patch(f"/api/v1/users/{system_id}", org.admin,
                        json={"active": True, "roles": ["admin"]})
    assert_error(refused, 403)
    page = browser("admin").post(f"/admin/users/{system_id}", data={
        "display_name": "Me now", "roles": ["admin"], "unit": str(org.commission.id),
        "language": "en", "active": "1", "password": "a-long-passphrase"})
    assert page.status_code == 422 and "系统账户由引擎使用，不能修改" in text_of(page)
    with rectify.unit_of_work(write=False) as uow:
        stored = uow.session.get(User, system_id)
        assert stored is not None
        assert (stored.active, stored.roles, stored.password_hash) == before
    assert api.client.post("/api/v1/auth/token", json={
        "username": "system", "password": "a-long-passphrase"}).status_code == 401
