"""The admin's user forms: one username rule with the API, every field error at once, every
choice kept after an error, and the last active admin protected on the page as in the API."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from web_support import assert_error, text_of

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
    assert "lower-case letters, digits" in html and "the password needs at least 10" in html
    checked = set(re.findall(r'name="roles" value="(\w+)" checked', html))
    assert checked == {"inspector", "reviewer"}
    assert '<option value="en" selected>' in html
    assert re.search(rf'<option value="{org.sub_a2.id}" selected>', html)
    assert "bad name" not in usernames(rectify)


def test_the_page_cannot_demote_the_last_admin_and_keeps_the_form(browser, rectify, org):
    admin = in_english(browser("admin"))
    page = admin.post(f"/admin/users/{org.admin.id}", data={
        "display_name": "Renamed", "roles": ["supervisor"], "unit": str(org.commission.id),
        "language": "en", "active": "1"})
    assert page.status_code == 422
    html = text_of(page)
    assert "the last active admin cannot lose the admin role" in html
    assert set(re.findall(r'name="roles" value="(\w+)" checked', html)) == {"supervisor"}
    assert 'value="Renamed"' in html
    with rectify.unit_of_work(write=False) as uow:
        stored = uow.session.get(User, org.admin.id)
        assert stored is not None and (stored.roles, stored.display_name) == ("admin", "系统管理员")


def test_the_api_cannot_deactivate_the_last_admin(api, org):
    refused = api.patch(f"/api/v1/users/{org.admin.id}", org.admin, json={"active": False})
    assert "active" in assert_error(refused, 422)["errors"]
