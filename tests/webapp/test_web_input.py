"""Every text a request carries passes one rule at the edge (web/edge.py over workflow/text.py):
NUL and other controls, lone surrogates, bidi overrides and invisible-only text are refused with
a field error in the user's language and nothing is written; bodies are capped in size, depth and
number of fields. Entry points that reach the database run on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import func, select
from web_support import PASSWORD, assert_error, login, text_of

from workflow.models import ApiToken, Finding, Inspection

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
BAD = {  # what is refused -> one example of it
    "nul": "abc\x00def",
    "control": "bell\x07here",
    "c1": "next\x85line",
    "surrogate": "lone \ud800 surrogate",
    "bidi_override": "invoice\u202egnp.exe",
    "bidi_isolate": "a\u2066b",
    "zero_width_only": "\u200b\u200c",
    "zero_width_and_space": " \ufeff ",
}
# A URL or form cannot carry a lone surrogate (werkzeug keeps invalid UTF-8 as %XX text): JSON can.
IN_FORMS = [kind for kind in BAD if kind != "surrogate"]
ZH = {"nul": "控制字符", "control": "控制字符", "c1": "控制字符", "surrogate": "无效的字符编码",
      "bidi_override": "文字方向", "bidi_isolate": "文字方向", "zero_width_only": "不可见字符",
      "zero_width_and_space": "不可见字符"}


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _count(rectify, model) -> int:
    with rectify.unit_of_work(write=False) as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.parametrize("kind", IN_FORMS)
def test_the_login_form_refuses_bad_text(client, kind):
    response = login(client, BAD[kind])
    assert response.status_code == 422
    assert "username" in text_of(response) and ZH[kind] in text_of(response)


@pytest.mark.parametrize("kind", list(BAD))
def test_the_token_endpoint_refuses_bad_text_and_issues_nothing(client, rectify, org, kind):
    before = _count(rectify, ApiToken)
    body = json.dumps({"username": "inspector", "password": PASSWORD, "label": "x"})
    body = body.replace('"x"', json.dumps(BAD[kind]))  # json.dumps escapes \ud800 as the client does
    response = client.post("/api/v1/auth/token", data=body, content_type="application/json",
                           headers={"Accept-Language": "en"})
    error = assert_error(response, 422)
    assert set(error["errors"]) == {"label"}
    assert _count(rectify, ApiToken) == before


@pytest.mark.parametrize("kind", IN_FORMS)
@pytest.mark.parametrize("field", ["q", "state", "lifecycle"])
def test_ledger_filters_refuse_bad_text(api, browser, org, kind, field):
    error = assert_error(api.get("/api/v1/findings", org.inspector,
                                 query_string={field: BAD[kind]}), 422)
    assert set(error["errors"]) == {field}
    page = browser("inspector").get("/ledger", query_string={field: BAD[kind]})
    assert page.status_code == 422 and ZH[kind] in text_of(page)


def test_query_text_is_single_line(api, org):
    error = assert_error(api.get("/api/v1/findings?q=a%0Ab", org.inspector), 422)
    assert set(error["errors"]) == {"q"}


@pytest.mark.parametrize("kind", list(BAD))
def test_inspection_notes_refuse_bad_text_and_nothing_is_written(api, browser, org, rectify, kind):
    before = _count(rectify, Inspection)
    data = {"unit_id": org.group_a.id, "inspected_on": "2026-03-01", "method": "onsite",
            "notes": BAD[kind]}
    error = assert_error(api.post("/api/v1/inspections", org.inspector, json=data), 422)
    assert set(error["errors"]) == {"notes"}
    if kind in IN_FORMS:
        form = {"unit": str(org.group_a.id), "inspected_on": "2026-03-01", "method": "onsite",
                "notes": BAD[kind]}
        page = browser("admin").post("/admin/inspections", data=form)
        assert page.status_code == 422 and "notes" in text_of(page)
    assert _count(rectify, Inspection) == before


@pytest.mark.parametrize("kind", list(BAD))
def test_transition_payloads_and_raising_refuse_bad_text(api, driver, org, rectify, kind):
    finding = driver.raise_("standard")
    before = _count(rectify, Finding)
    body = {"title": BAD[kind], "category": "work_safety", "severity": "low",
            "unit": org.group_a.id}
    error = assert_error(api.post("/api/v1/findings", org.inspector, json=body), 422)
    assert set(error["errors"]) == {"title"}
    fire = api.post(f"/api/v1/findings/{finding['id']}/transitions/withdraw", org.inspector,
                    json={"version": finding["version"], "payload": {"reason": BAD[kind]}})
    assert set(assert_error(fire, 422)["errors"]) == {"payload.reason"}
    assert _count(rectify, Finding) == before
    assert driver.finding(finding["id"])["version"] == finding["version"]


def test_admin_fields_refuse_bad_text(browser, rectify, org):
    page = browser("admin").post("/admin/units", data={
        "code": "NEW", "name_zh": "新\x00单位", "name_en": "New", "kind": "group",
        "parent": str(org.commission.id)})
    assert page.status_code == 422 and "name_zh" in text_of(page)


def test_multi_line_text_keeps_tabs_and_newlines(api, driver, org):
    finding = driver.raise_("standard", description="第一行\n\t第二行\r\n")
    assert finding["description"] == "第一行\n\t第二行"


def test_text_is_stored_in_nfc(api, driver, org):
    finding = driver.raise_("standard", title="Cafe\u0301 exit blocked")
    assert finding["title"] == "Caf\u00e9 exit blocked"


def test_field_names_that_break_the_rule_are_shown_escaped(api, org):
    body = b'{"payload": {}, "bad\\u0000key": 1}'
    response = api.post("/api/v1/findings/1/transitions/assign", org.inspector, data=body,
                        content_type="application/json")
    error = assert_error(response, 422)
    assert list(error["errors"]) == ["bad\\x00key"]


def test_errors_are_in_the_users_language(client):
    response = client.post("/api/v1/auth/token", json={"username": "a\x00", "password": "x"},
                           headers={"Accept-Language": "en"})
    assert assert_error(response, 422)["errors"] == {
        "username": "The text contains control characters that cannot be stored."}
    response = client.post("/api/v1/auth/token", json={"username": "a\x00", "password": "x"},
                           headers={"Accept-Language": "zh-CN"})
    assert assert_error(response, 422)["errors"] == {"username": "含有无法保存的控制字符。"}


# --- body size, depth and number of fields ---------------------------------------------------


def test_a_json_body_over_the_cap_is_refused_quickly(client):
    body = b'{"username": "' + b"a" * (1024 * 1024) + b'", "password": "x"}'
    started = time.perf_counter()
    response = client.post("/api/v1/auth/token", data=body, content_type="application/json")
    assert time.perf_counter() - started < 1
    assert assert_error(response, 413)["message"]


def test_the_json_cap_is_configurable(make_app):
    client = make_app(MAX_JSON_BYTES=100).test_client()
    body = {"username": "inspector", "password": "x" * 100}
    assert_error(client.post("/api/v1/auth/token", json=body), 413)


def test_uploads_keep_their_own_larger_cap(api, org, png, make_app):
    limit = 200_000
    client = make_app(MAX_JSON_BYTES=1000).test_client()
    big = png(7) + b"\x00" * (limit - len(png(7)))
    response = client.post("/api/v1/attachments", headers=api.headers(org.handler_a),
                           data={"file": (__import__("io").BytesIO(big), "big.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 201, response.get_data(as_text=True)


@pytest.mark.parametrize("depth", [33, 1000, 100_000])
def test_deeply_nested_json_is_a_clean_400(client, depth):
    body = '{"username": "a", "password": "b", "label": ' + "[" * depth + "]" * depth + "}"
    response = client.post("/api/v1/auth/token", data=body, content_type="application/json",
                           headers={"Accept-Language": "en"})
    assert "nested too deeply" in assert_error(response, 400)["message"]


def test_json_nested_within_the_cap_is_parsed(api, org):
    body = {"payload": {}, "x": [[[[1]]]]}
    response = api.post("/api/v1/findings/1/transitions/assign", org.inspector, json=body)
    assert response.status_code != 400


def test_a_body_with_too_many_keys_is_refused_cheaply(client):
    body = json.dumps({f"k{n}": 0 for n in range(10_000)} | {"username": "a", "password": "b"})
    started = time.perf_counter()
    response = client.post("/api/v1/auth/token", data=body, content_type="application/json")
    assert time.perf_counter() - started < 1
    assert len(assert_error(response, 413).get("errors", {})) <= 21


def test_field_errors_are_truncated_with_a_note(client):
    body = {f"unknown{n}": 0 for n in range(200)} | {"username": "a", "password": "b"}
    error = assert_error(client.post("/api/v1/auth/token", json=body), 422)
    assert len(error["errors"]) == 21 and "_more" in error["errors"]


def test_bad_text_in_many_fields_lists_at_most_twenty(client):
    body = {f"k{n}": "\x00" for n in range(500)}
    error = assert_error(client.post("/api/v1/auth/token", json=body), 422)
    assert len(error["errors"]) == 21 and "_more" in error["errors"]


def test_invalid_utf8_and_surrogates_in_the_url_never_500(api, browser, org):
    for url in ("/api/v1/findings?q=%ED%A0%80", "/api/v1/findings?q=%FF%00",
                "/api/v1/findings?state=%C0%80"):
        assert api.get(url, org.inspector).status_code in (200, 422)
    for url in ("/ledger?q=%ED%A0%80", "/ledger?q=%00", "/login?next=%00"):
        assert browser("inspector").get(url).status_code in (200, 302, 422)
    form = browser("inspector").post("/login", data=b"username=%ED%A0%80&password=x%00",
                                     content_type="application/x-www-form-urlencoded")
    assert form.status_code == 422
