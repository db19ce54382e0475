"""Unit kinds and document-number prefixes on the admin pages and the API (SQLite and
PostgreSQL): the declared kinds offered with labels in the user's language, GET /unit-kinds, a
custom kind usable in both, an undeclared kind or a bad prefix refused with a field error."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.integration.kinds_support import rectify_with_bureau
from tests.webapp.web_support import Api, assert_error, build_app, login, text_of
from workflow.models import Unit


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def bureau_app(make_app, rectify, tmp_path) -> Iterator[Any]:
    """An app over a Rectify whose kinds file declares `bureau` (the org's passwords made cheap
    by make_app)."""
    make_app()
    other = rectify_with_bureau(rectify, tmp_path)
    yield build_app(other)
    other.database.dispose()


def _kind_options(html: str) -> list[tuple[str, str]]:
    select = re.search(r'<select name="kind".*?</select>', html, re.S)
    assert select, "no kind picker on the page"
    return re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)</option>', select.group(0))


def _as(app: Any, username: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def test_the_unit_form_offers_the_declared_kinds_in_the_users_language(browser):
    admin = browser("admin")
    assert _kind_options(text_of(admin.get("/admin/units"))) == [
        ("commission", "纪委监委"), ("inspection_body", "纪检监察组"), ("department", "职能部门"),
        ("group", "集团"), ("subsidiary", "权属企业"), ("site", "场所")]
    admin.post("/language", data={"lang": "en", "next": "/admin/units"})
    options = _kind_options(text_of(admin.get("/admin/units")))
    assert options[2] == ("department", "Government department")


def test_the_api_lists_the_declared_kinds(api, org, bureau_app):
    kinds = api.get("/api/v1/unit-kinds", org.handler_a).get_json()
    assert [(k["key"], k["zh"], k["en"], k["inspects"]) for k in kinds][:3] == [
        ("commission", "纪委监委", "Commission", True),
        ("inspection_body", "纪检监察组", "Inspection body", True),
        ("department", "职能部门", "Government department", False)]
    custom = Api(bureau_app, api.rectify, org).get("/api/v1/unit-kinds", org.admin).get_json()
    assert [k["key"] for k in custom] == ["commission", "inspection_body", "group", "subsidiary",
                                          "bureau"]


def test_a_custom_kind_is_usable_in_the_page_and_the_api(bureau_app, api, org):
    admin = _as(bureau_app, "admin")
    page = text_of(admin.get("/admin/units"))
    assert ("bureau", "市场监管局") in _kind_options(page)
    response = admin.post("/admin/units", data={"code": "MR-1", "name_zh": "市场监管局",
                                                 "kind": "bureau", "doc_prefix": "苏市监函",
                                                 "parent_id": str(org.commission.id)})
    assert response.status_code == 302
    assert "苏市监函" in text_of(admin.get(f"/admin/units?parent={org.commission.id}"))
    by_api = Api(bureau_app, api.rectify, org).post(
        "/api/v1/units", org.admin, json={"code": "MR-2", "name_zh": "市场监管分局",
                                          "kind": "bureau", "parent_id": org.commission.id})
    assert by_api.status_code == 201 and by_api.get_json()["kind"] == "bureau"
    # The shipped kinds do not declare it: the same request is a field error there.
    body = assert_error(api.post("/api/v1/units", org.admin, json={
        "code": "MR-3", "name_zh": "市场监管分局", "kind": "bureau"}), 422)
    assert set(body["errors"]) == {"kind"}


def test_the_page_refuses_an_undeclared_kind_and_a_bad_prefix_keeping_the_values(browser, rectify):
    admin = browser("admin")
    response = admin.post("/admin/units", data={"code": "X-1", "name_zh": "某局", "kind": "bureau",
                                                 "doc_prefix": "苏 纪提"})
    assert response.status_code == 422
    html = text_of(response)
    assert "未声明的单位类型“bureau”" in html and "文号前缀须为一行，中间不能有空格" in html
    assert 'value="苏 纪提"' in html
    with rectify.unit_of_work(write=False) as uow:
        assert uow.session.query(Unit).filter_by(code="X-1").first() is None


def test_the_edit_page_changes_kind_and_prefix(browser, rectify, org):
    admin = browser("admin")
    url = f"/admin/units/{org.commission.id}"
    assert f'href="{url}"' in text_of(admin.get("/admin/units"))
    bad = admin.post(url, data={"name_zh": org.commission.name_zh, "kind": "bureau",
                                "doc_prefix": "苏纪提"})
    assert bad.status_code == 422 and "未声明的单位类型" in text_of(bad)
    good = admin.post(url, data={"name_zh": org.commission.name_zh, "name_en": "Commission",
                                 "kind": "commission", "doc_prefix": "苏纪提"})
    assert good.status_code == 302
    with rectify.unit_of_work(write=False) as uow:
        assert uow.session.get(Unit, org.commission.id).doc_prefix == "苏纪提"
    assert browser("supervisor").get(url).status_code == 403
    assert admin.get("/admin/units/999999").status_code == 404


def test_the_api_edits_a_unit(api, org):
    path = f"/api/v1/units/{org.group_a.id}"
    response = api.patch(path, org.admin, json={"doc_prefix": "甲集团函", "kind": "department"})
    assert response.status_code == 200, text_of(response)
    assert (response.get_json()["doc_prefix"], response.get_json()["kind"]) == (
        "甲集团函", "department")
    listed = {u["id"]: u for u in api.get("/api/v1/units", org.admin).get_json()}
    assert listed[org.group_a.id]["doc_prefix"] == "甲集团函"
    body = assert_error(api.patch(path, org.admin, json={"doc_prefix": "甲" * 33,
                                                          "kind": "bureau"}), 422)
    assert set(body["errors"]) == {"doc_prefix", "kind"}
    assert_error(api.patch(path, org.supervisor, json={"doc_prefix": "甲"}), 403)
    assert_error(api.patch(path, org.handler_b, json={"doc_prefix": "甲"}), 404)  # not in view
    assert_error(api.patch("/api/v1/units/999999", org.admin, json={}), 404)
