"""Security: CSRF on every cookie-authenticated write, escaping of user text on every page that
shows it, spreadsheet formula injection, upload checks (size, type from the bytes, names), hashed
passwords, login rate limiting, no open redirects, HttpOnly session cookies."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from web_support import PASSWORD, assert_error, csrf_token_of, login, text_of, ui
from werkzeug.security import check_password_hash

from workflow.models import Attachment, Finding, User

# --- CSRF --------------------------------------------------------------------------------------


@pytest.fixture
def csrf_app(make_app):
    return make_app(WTF_CSRF_ENABLED=True)


def logged_in_with_csrf(app, username):
    """A client logged in the proper way (token from the login form); returns it and its token."""
    client = app.test_client()
    token = csrf_token_of(text_of(client.get("/login")))
    response = client.post("/login", data={"username": username, "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302
    return client, csrf_token_of(text_of(client.get("/work")))


def assert_csrf_refusal(app, response):
    assert response.status_code == 400
    assert ui(app, "The form expired or was not sent from this site. Reload the page and try "
                   "again.") in text_of(response)


def test_login_without_a_csrf_token_is_refused(csrf_app):
    client = csrf_app.test_client()
    response = login(client, "inspector")
    assert_csrf_refusal(csrf_app, response)
    assert client.get("/work").status_code == 302  # not logged in
    bad = login(client, "inspector", csrf_token="forged")
    assert_csrf_refusal(csrf_app, bad)
    logged_in_with_csrf(csrf_app, "inspector")  # and with the token it works


def test_firing_without_a_csrf_token_is_refused(csrf_app, driver, flow):
    finding = driver.raise_("standard")
    client, token = logged_in_with_csrf(csrf_app, "inspector")
    form = {"version": finding["version"], "requirement": "Clear it",
            "due_date": (driver.today() + timedelta(days=5)).isoformat()}
    before = flow.snapshot(finding["id"])
    assert_csrf_refusal(csrf_app, client.post(f"/findings/{finding['id']}/fire/assign", data=form))
    assert flow.snapshot(finding["id"]) == before
    response = client.post(f"/findings/{finding['id']}/fire/assign",
                           data={**form, "csrf_token": token})
    assert response.status_code == 302
    assert flow.finding(finding["id"]).state == "assigned"


def test_raising_without_a_csrf_token_is_refused(csrf_app, rectify, org):
    client, token = logged_in_with_csrf(csrf_app, "inspector")
    form = {"lifecycle": "standard", "title": "Exit blocked", "category": "work_safety",
            "severity": "low", "unit": str(org.group_a.id)}
    assert_csrf_refusal(csrf_app, client.post("/raise", data=form))
    with rectify.unit_of_work(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Finding)) == 0
    assert client.post("/raise", data={**form, "csrf_token": token}).status_code == 302


def test_admin_forms_without_a_csrf_token_are_refused(csrf_app, rectify, org):
    client, token = logged_in_with_csrf(csrf_app, "admin")
    user = {"username": "mallory", "display_name": "M", "password": "long-enough-pw",
            "roles": ["admin"], "unit": str(org.commission.id)}
    assert_csrf_refusal(csrf_app, client.post("/admin/users", data=user))
    assert_csrf_refusal(csrf_app, client.post(f"/admin/users/{org.handler_a.id}", data={
        "password": "taken-over-now", "roles": ["admin"], "unit": str(org.commission.id),
        "active": "1"}))
    assert_csrf_refusal(csrf_app, client.post("/admin/units", data={
        "code": "X", "name_zh": "X", "kind": "group", "parent": str(org.commission.id)}))
    assert_csrf_refusal(csrf_app, client.post("/admin/campaigns", data={
        "name": "Sneaky", "starts_on": "2026-03-01", "organiser": str(org.commission.id)}))
    with rectify.unit_of_work(write=False) as uow:
        assert uow.session.scalar(select(User).where(User.username == "mallory")) is None
        assert uow.session.get(User, org.handler_a.id).role_set == {"handler"}
    assert login(csrf_app.test_client(), "handler_a", "taken-over-now").status_code == 400
    assert client.post("/admin/users", data={**user, "csrf_token": token}).status_code == 302


def test_logout_and_language_switch_need_the_token_too(csrf_app, rectify, org):
    client, token = logged_in_with_csrf(csrf_app, "inspector")
    assert_csrf_refusal(csrf_app, client.post("/language", data={"lang": "en"}))
    with rectify.unit_of_work(write=False) as uow:
        assert uow.session.get(User, org.inspector.id).language == "zh_CN"
    assert_csrf_refusal(csrf_app, client.post("/logout"))
    assert client.get("/work").status_code == 200  # still logged in
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/work").status_code == 302


def test_cookie_authenticated_api_writes_need_the_token_bearer_calls_do_not(csrf_app, rectify,
                                                                           org, api):
    client, token = logged_in_with_csrf(csrf_app, "inspector")
    body = {"title": "Exit blocked", "category": "work_safety", "severity": "low",
            "unit": org.group_a.id}
    assert_error(client.post("/api/v1/findings", json=body), 400)
    with rectify.unit_of_work(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Finding)) == 0
    assert client.post("/api/v1/findings", json=body,
                       headers={"X-CSRFToken": token}).status_code == 201
    bearer = csrf_app.test_client()  # no cookie at all: a token is not sent by browsers
    assert bearer.post("/api/v1/findings", json=body,
                       headers=api.headers(org.inspector)).status_code == 201


# --- escaping ----------------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def test_user_text_is_escaped_on_every_page_that_shows_it(api, browser, driver, org):
    finding = driver.raise_("standard", title=SCRIPT, description=f"Look: {SCRIPT}")
    assert api.patch(f"/api/v1/users/{org.inspector.id}", org.admin,
                     json={"display_name": f"Insp {SCRIPT}"}).status_code == 200
    client = browser("inspector")
    pages = {"/ledger": 1, f"/ledger?q={SCRIPT}": 1, "/work": 1,
             f"/findings/{finding['id']}": 3, "/dashboard": 1, "/lifecycles": 0}
    for url, at_least in pages.items():
        html = text_of(client.get(url))
        assert SCRIPT not in html, url
        assert html.count(ESCAPED) >= at_least, url
    admin = browser("admin")
    for url in ("/admin/users", f"/admin/users/{org.inspector.id}"):
        html = text_of(admin.get(url))
        assert SCRIPT not in html and ESCAPED in html, url
    # the raise form's duplicate warning lists the similar title: escaped too
    response = client.post("/raise", data={"lifecycle": "standard", "title": SCRIPT,
                                           "category": "other", "severity": "low",
                                           "unit": str(org.group_a.id)})
    html = text_of(response)
    assert finding["code"] in html and SCRIPT not in html and ESCAPED in html


@pytest.mark.parametrize("title", ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+cmd|' /C calc'!A0",
                                   "-2+3+cmd", "@SUM(1+1)*cmd"])
def test_exports_neutralise_spreadsheet_formulas(browser, driver, title):
    driver.raise_("standard", title=title)
    client = browser("inspector")
    text = text_of(client.get("/ledger.csv"))
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[1][1] == "'" + title
    sheet = load_workbook(io.BytesIO(client.get("/ledger.xlsx").data)).active
    cell = sheet.cell(row=2, column=2)
    assert cell.value == "'" + title and cell.data_type == "s"


# --- uploads -----------------------------------------------------------------------------------


def _nothing_stored(rectify, attachment_files):
    with rectify.unit_of_work(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Attachment)) == 0
    assert attachment_files() == []


BAD_UPLOADS = {
    "exe": (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "setup.exe"),
    "html renamed png": (b"<html><script>alert(1)</script></html>", "photo.png"),
    "svg renamed png": (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "x.png"),
    "empty": (b"", "empty.png"),
}


@pytest.mark.parametrize("kind", list(BAD_UPLOADS))
def test_uploads_of_a_disallowed_type_are_refused_by_their_bytes(api, org, rectify,
                                                                 attachment_files, kind):
    data, name = BAD_UPLOADS[kind]
    body = assert_error(api.upload(org.handler_a, data, name), 422)
    assert set(body["errors"]) == {"file"}
    _nothing_stored(rectify, attachment_files)


@pytest.mark.parametrize("name", ["../../etc/passwd.png", "..\\..\\windows\\win.ini.png",
                                  "/etc/passwd.png", "evil\x00.png"])
def test_uploads_with_a_path_in_the_name_are_refused(api, org, png, rectify, attachment_files,
                                                     name):
    body = assert_error(api.upload(org.handler_a, png(1), name), 422)
    assert set(body["errors"]) == {"file"}
    _nothing_stored(rectify, attachment_files)


def test_oversize_uploads_are_refused(api, org, png, rectify, attachment_files):
    limit = rectify.settings.max_upload_bytes
    too_big = png(1) + b"\x00" * (limit + 1 - len(png(1)))
    body = assert_error(api.upload(org.handler_a, too_big, "huge.png"), 422)
    assert set(body["errors"]) == {"file"}
    _nothing_stored(rectify, attachment_files)
    just_fits = png(2) + b"\x00" * (limit - len(png(2)))
    assert api.upload(org.handler_a, just_fits, "big.png").status_code == 201


def test_a_bad_file_in_a_page_form_stores_nothing_and_changes_nothing(browser, driver, flow, png,
                                                                      rectify, attachment_files):
    finding = driver.bring_to("standard", "assigned")
    _nothing_stored(rectify, attachment_files)  # the path there needed no files
    before = flow.snapshot(finding["id"])
    client = browser("handler_a")
    response = client.post(f"/findings/{finding['id']}/fire/report_rectification", data={
        "version": finding["version"], "measures": "Boxes moved away",
        "evidence": (io.BytesIO(BAD_UPLOADS["html renamed png"][0]), "photo.png")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert flow.snapshot(finding["id"]) == before
    # a handler may not raise: refused before any upload is looked at
    response = client.post("/raise", data={
        "lifecycle": "standard", "title": "Another problem", "category": "other",
        "severity": "low", "unit": str(finding["unit"]["id"]),
        "evidence": (io.BytesIO(png(3)), "photo.png")}, content_type="multipart/form-data")
    assert response.status_code == 403
    _nothing_stored(rectify, attachment_files)


def test_a_bad_file_in_the_raise_form_stores_nothing(browser, rectify, org, attachment_files):
    response = browser("inspector").post("/raise", data={
        "lifecycle": "standard", "title": "Another problem", "category": "other",
        "severity": "low", "unit": str(org.group_a.id),
        "evidence": (io.BytesIO(BAD_UPLOADS["exe"][0]), "photo.png")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    _nothing_stored(rectify, attachment_files)
    with rectify.unit_of_work(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Finding)) == 0


def test_a_refused_form_keeps_the_evidence_for_the_next_try(browser, driver, png, rectify,
                                                           attachment_files):
    """The photo of a refused form is kept as the uploader's and offered again (a hidden
    sha256 input with its thumbnail), so the retry needs no new upload and nothing is lost."""
    finding = driver.bring_to("standard", "assigned")
    client = browser("handler_a")
    refused = client.post(
        f"/findings/{finding['id']}/fire/report_rectification",
        data={"version": finding["version"], "measures": "x",  # too short: refused
              "evidence": (io.BytesIO(png(5)), "photo.png")}, content_type="multipart/form-data")
    assert refused.status_code == 422
    digest = hashlib.sha256(png(5)).hexdigest()
    page = refused.get_data(as_text=True)
    assert f'name="evidence" value="{digest}"' in page
    assert len(attachment_files()) == 1
    retry = client.post(
        f"/findings/{finding['id']}/fire/report_rectification",
        data={"version": finding["version"], "measures": "Boxes moved to the store room",
              "evidence": digest}, content_type="multipart/form-data")
    assert retry.status_code == 302
    with rectify.unit_of_work(write=False) as uow:
        done = uow.session.get(Finding, finding["id"])
        assert done.state == "rectified"
        assert uow.session.scalar(select(func.count()).select_from(Attachment)) == 1


def test_uploading_bytes_someone_else_uploaded_first_still_works(api, driver, org, png):
    """Each uploader gets their own attachment row: identical bytes don't lend another
    person's file name, nor leave the second uploader unable to use or read their file."""
    first = api.upload(org.inspector, png(5), "inspector's name.png").get_json()
    second = api.upload(org.handler_a, png(5), "after.png")
    assert second.status_code == 201
    assert second.get_json()["original_name"] == "after.png"  # not the other person's name
    assert api.get(second.get_json()["url"], org.handler_a).status_code == 200
    finding = driver.bring_to("standard", "assigned")
    assert driver.fire(finding["id"], "report_rectification", org.handler_a, payload={
        "measures": "Boxes moved", "evidence": [first["sha256"]]}).status_code == 200


# --- passwords, rate limits, redirects, cookies --------------------------------------------


def test_passwords_are_stored_hashed(api, rectify, org):
    assert api.post("/api/v1/users", org.admin, json={
        "username": "newcomer", "display_name": "N", "password": "plain-text-secret",
        "roles": ["handler"], "unit_id": org.sub_b1.id}).status_code == 201
    with rectify.unit_of_work(write=False) as uow:
        rows = uow.session.execute(select(User.__table__)).mappings().all()
    assert len(rows) == len(org.users) + 1
    for row in rows:
        for value in row.values():
            assert PASSWORD not in str(value) and "plain-text-secret" not in str(value)
        assert row["password_hash"].startswith(("scrypt:", "pbkdf2:"))
    newcomer = next(r for r in rows if r["username"] == "newcomer")
    assert check_password_hash(newcomer["password_hash"], "plain-text-secret")


def test_login_is_rate_limited(make_app, org):
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    assert [login(client, "inspector", "wrong").status_code for _ in range(3)] == [401] * 3
    response = login(client, "inspector")  # even the right password, now
    assert response.status_code == 429
    assert client.get("/work").status_code == 302
    assert [client.post("/api/v1/auth/token", json={"username": "inspector", "password": "x"})
            .status_code for _ in range(3)] == [401] * 3
    limited = client.post("/api/v1/auth/token",
                          json={"username": "inspector", "password": PASSWORD})
    assert_error(limited, 429)
    assert limited.headers["Retry-After"]


@pytest.mark.parametrize("target", [
    "//evil.example", "//evil.example/work", "https://evil.example", "http:evil.example",
    "/\\evil.example", "\\\\evil.example", "/\t/evil.example", "/\n/evil.example",
    " //evil.example", "javascript:alert(1)"])
def test_no_open_redirect_after_login_or_language_switch(make_app, org, target):
    app = make_app()
    client = app.test_client()
    response = client.post("/login", query_string={"next": target},
                           data={"username": "inspector", "password": PASSWORD})
    if "\t" in target or "\n" in target:  # a query string is one line: refused at the edge
        assert response.status_code == 422 and "Location" not in response.headers
    else:
        assert response.status_code == 302
        assert response.headers["Location"] == "/work"
    response = client.post("/language", data={"lang": "en", "next": target})
    assert response.headers["Location"] == "/work"


def test_a_local_next_is_honoured(client, org):
    response = client.post("/login", query_string={"next": "/ledger?q=exit"},
                           data={"username": "inspector", "password": PASSWORD})
    assert response.headers["Location"] == "/ledger?q=exit"


def test_the_session_cookie_is_http_only(client, org):
    response = login(client, "inspector")
    cookies = [v for k, v in response.headers.items() if k.lower() == "set-cookie"]
    session = [c for c in cookies if c.startswith("session=")]
    assert session, cookies
    attributes = {part.strip().lower() for part in session[0].split(";")[1:]}
    assert "httponly" in attributes and "samesite=lax" in attributes
