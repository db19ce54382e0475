"""Pages through the test client: login required everywhere (every route of the app, generated
from its URL map), login and logout, each page for the roles it is for (and 403 for the others),
the language switch and Accept-Language."""

from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO
from urllib.parse import urlsplit

import pytest
from flask import url_for
from sqlalchemy import select
from web_support import assert_error, login, picker_url, text_of, ui

from workflow.models import Finding, User

# The only endpoints an anonymous visitor may reach (everything else: /login or 401).
# /metrics needs no login but answers loopback callers or its token only (test_web_metrics)
PUBLIC = {"static", "pages.login", "pages.healthz", "pages.set_language", "api_auth.Token",
          "metrics"}
SAMPLE_ARGS = {"finding_id": 1, "user_id": 1, "trigger": "assign", "sha256": "a" * 64,
               "name": "standard", "version": 1, "filename": "css/app.css", "token_id": 1,
               "notification_id": 1, "unit_id": 1, "letter_id": 1, "seq": 1,
               "campaign_id": 1, "link_id": 1, "digest": "a" * 64, "kind": "xlsx",
               "session_id": 1, "first": "revisit", "then": "confirm", "filter_id": 1}


def html_lang(html: str) -> str:
    start = html.index("<html lang=\"") + len("<html lang=\"")
    return html[start:html.index("\"", start)]


# --- login required everywhere ---------------------------------------------------------------


def test_every_route_but_login_and_health_needs_a_logged_in_user(app, client):
    checked = []
    please_log_in = ui(app, "Please log in.")
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            with app.test_request_context():
                url = url_for(rule.endpoint, **{a: SAMPLE_ARGS[a] for a in rule.arguments})
            if rule.endpoint in PUBLIC:
                continue
            response = client.open(url, method=method)
            checked.append((method, url))
            if url.startswith("/api/"):
                body = assert_error(response, 401)
                assert body["message"] == please_log_in, (method, url, body)
            else:
                assert response.status_code == 302, (method, url, response.status_code)
                location = urlsplit(response.headers["Location"])
                assert location.path == "/login", (method, url, location)
    # every page and every API operation was tried, reads and writes
    assert len(checked) >= 30
    assert {m for m, _url in checked} == {"GET", "POST", "PATCH", "DELETE"}


def test_the_redirect_to_login_remembers_the_page(client):
    response = client.get("/ledger?q=exit")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login?next=/ledger?q%3Dexit")


def test_login_page_health_check_and_static_files_are_public(client):
    page = client.get("/login")
    assert page.status_code == 200
    assert 'name="password"' in text_of(page)
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.get_json() == {"status": "ok", "database": "ok", "lifecycles": 10}  # versions
    with client.get("/static/css/app.css") as css:
        assert css.status_code == 200


def test_login_with_a_wrong_password_is_refused(app, client, org):
    response = login(client, "handler_a", "not-the-password")
    assert response.status_code == 401
    assert ui(app, "Wrong username or password.") in text_of(response)
    assert client.get("/work").status_code == 302  # still anonymous


def test_an_inactive_user_cannot_log_in(app, client, api, org):
    assert api.patch(f"/api/v1/users/{org.handler_b.id}", org.admin,
                     json={"active": False}).status_code == 200
    refused = login(client, "handler_b")  # the right password: told the account is disabled
    assert refused.status_code == 403
    assert ui(app, "This account is disabled. Ask an administrator.") in text_of(refused)
    wrong = login(client, "handler_b", "not-the-password")  # a wrong one: the generic answer
    assert wrong.status_code == 401
    assert ui(app, "Wrong username or password.") in text_of(wrong)
    assert client.get("/work").status_code == 302


def test_login_then_logout(client, org):
    response = login(client, "handler_a")
    assert response.status_code == 302
    assert response.headers["Location"] == "/work"
    work = client.get("/work")
    assert work.status_code == 200
    assert org.handler_a.display_name in text_of(work)

    response = client.post("/logout")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login"
    assert client.get("/work").status_code == 302
    assert client.get("/api/v1/findings").status_code == 401


def test_a_logged_in_user_visiting_login_goes_to_my_work(browser):
    response = browser("inspector").get("/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/work"


# --- each page, for the right role -----------------------------------------------------------


@pytest.fixture
def findings(driver):
    """Three findings at group_a: a standard one assigned, a standard one raised, an immediate."""
    assigned = driver.bring_to("standard", "assigned", title="Fire exit blocked by boxes")
    raised = driver.raise_("standard", title="Extinguisher out of date")
    immediate = driver.raise_("immediate", title="Canteen fridge too warm")
    return {"assigned": assigned, "raised": raised, "immediate": immediate}


def test_my_work_lists_what_awaits_the_user(app, browser, findings):
    handler = text_of(browser("handler_a").get("/work"))
    assert "Fire exit blocked by boxes" in handler  # report rectification
    assert "Canteen fridge too warm" in handler  # fix on the spot
    assert "Extinguisher out of date" not in handler  # raised: the inspector's move
    assert "整改中" in handler and ui(app, "%(n)s awaiting you", n=2) in handler

    inspector = text_of(browser("inspector").get("/work"))
    assert "Extinguisher out of date" in inspector and "已发现" in inspector
    # the inspector may still reassign or withdraw it, but those are not work awaiting them
    assert "Fire exit blocked by boxes" not in inspector

    reviewer = text_of(browser("reviewer").get("/work"))
    assert ui(app, "%(n)s awaiting you", n=0) in reviewer and ui(app, "Nothing here.") in reviewer


def test_ledger_lists_findings_in_scope_with_state_labels(browser, findings):
    page = browser("inspector").get("/ledger")
    assert page.status_code == 200
    html = text_of(page)
    for title in ("Fire exit blocked by boxes", "Extinguisher out of date",
                  "Canteen fridge too warm"):
        assert title in html
    assert "整改中" in html and "已发现" in html and "现场发现" in html

    filtered = text_of(browser("inspector").get("/ledger?state=assigned"))
    assert "Fire exit blocked by boxes" in filtered
    assert "Extinguisher out of date" not in filtered


def test_finding_page_shows_facts_timeline_and_the_users_actions(browser, findings):
    finding = findings["assigned"]
    page = browser("handler_a").get(f"/findings/{finding['id']}")
    assert page.status_code == 200
    html = text_of(page)
    assert "Fire exit blocked by boxes" in html and finding["code"] in html
    assert '<span class="state big">整改中</span>' in html
    assert finding["requirement"] in html  # set by the assign transition
    assert "stateDiagram" in html
    # what a handler may do here: report or ask for more time, nothing else
    assert f"/findings/{finding['id']}/fire/report_rectification" in html
    assert f"/findings/{finding['id']}/fire/request_extension" in html
    assert "/fire/withdraw" not in html and "/fire/reassign" not in html
    # the timeline: raised, then assigned by the inspector
    assert "交办" in html and "检查员" in html

    inspector = text_of(browser("inspector").get(f"/findings/{finding['id']}"))
    assert "/fire/withdraw" in inspector and "/fire/report_rectification" not in inspector


def test_raise_page_is_for_inspectors(browser, org):
    page = browser("inspector").get("/raise")
    assert page.status_code == 200
    html = text_of(page)
    assert 'name="title"' in html and "purpose=raise" in picker_url(html, "unit")
    assert 'value="standard"' in html and 'value="immediate"' in html
    for username in ("handler_a", "reviewer", "admin"):
        assert browser(username).get("/raise").status_code == 403, username


def test_raising_through_the_page_opens_the_new_finding(browser, rectify, org, png):
    client = browser("inspector")
    response = client.post("/raise", data={
        "lifecycle": "standard", "title": "Emergency light broken", "category": "work_safety",
        "severity": "high", "unit": str(org.sub_a1.id), "description": "Stairwell B",
        "evidence": (BytesIO(png(1)), "light.png")},
        content_type="multipart/form-data")
    assert response.status_code == 302, text_of(response)
    with rectify.unit_of_work(write=False) as uow:
        finding = uow.session.scalar(select(Finding).where(Finding.title == "Emergency light broken"))
        assert finding is not None and finding.unit_id == org.sub_a1.id
        assert finding.state == "raised" and finding.severity == "high"
        finding_id = finding.id
    assert response.headers["Location"] == f"/findings/{finding_id}"
    assert "Emergency light broken" in text_of(client.get(f"/findings/{finding_id}"))


def test_raising_with_a_missing_title_rerenders_the_form_with_the_error(browser, rectify, org):
    response = browser("inspector").post("/raise", data={
        "lifecycle": "standard", "title": "", "category": "work_safety", "severity": "high",
        "unit": str(org.group_a.id)})
    assert response.status_code == 422
    assert "必填" in text_of(response)
    with rectify.unit_of_work(write=False) as uow:
        assert uow.session.scalar(select(Finding.id)) is None


def test_firing_through_the_page_moves_the_finding(app, browser, driver, flow):
    finding = driver.raise_("standard")
    due = (driver.today() + timedelta(days=10)).isoformat()
    client = browser("inspector")
    response = client.post(f"/findings/{finding['id']}/fire/assign", data={
        "version": finding["version"], "requirement": "Clear it today", "due_date": due})
    assert response.status_code == 302
    after = flow.finding(finding["id"])
    assert (after.state, after.due_date.isoformat(), after.requirement) == (
        "assigned", due, "Clear it today")
    # a stale form (old version) is refused with a notice and changes nothing
    stale = client.post(f"/findings/{finding['id']}/fire/withdraw",
                        data={"version": finding["version"], "reason": "Raised in error"})
    assert stale.status_code == 409
    assert flow.finding(finding["id"]).state == "assigned"
    notice = ui(app, "Someone else acted on this finding first. Here is its current state; what "
                     "you entered is kept below: check it and submit again.")
    assert notice in text_of(stale) and "Raised in error" in text_of(stale)
    # a bad payload re-renders the form with the field's error
    bad = client.post(f"/findings/{finding['id']}/fire/withdraw",
                      data={"version": after.version, "reason": "no"})
    assert bad.status_code == 422
    assert "至少 5 个字" in text_of(bad)
    assert flow.finding(finding["id"]).state == "assigned"


def test_lifecycles_page_shows_every_definition_with_its_diagram(browser, registry):
    html = text_of(browser("handler_a").get("/lifecycles"))
    for lifecycle in registry.all():
        assert lifecycle.zh in html
        assert f'id="{lifecycle.name}-{lifecycle.version}"' in html
        for state in lifecycle.states:
            assert state.zh in html
    assert html.count("stateDiagram") == len(registry.all())


def test_dashboard_for_supervisors_and_inspectors_only(browser, findings):
    page = browser("supervisor").get("/dashboard")
    assert page.status_code == 200
    # each count links to the ledger of those findings (tests/webapp/test_web_stats.py)
    assert re.search(r'<b id="kpi-total"><a href="[^"]+" data-count="3">3</a></b>', text_of(page))
    assert re.search(r'<b id="kpi-overdue"><a href="[^"]+" data-count="0">0</a></b>',
                     text_of(page))
    assert browser("inspector").get("/dashboard").status_code == 200
    assert browser("handler_a").get("/dashboard").status_code == 403


ADMIN_PAGES = ["/admin/users", "/admin/units", "/admin/campaigns", "/admin/inspections"]


def test_admin_pages_render_for_admins(browser, api, org):
    assert api.post("/api/v1/campaigns", org.admin, json={
        "name": "Spring safety campaign", "starts_on": "2026-03-01",
        "organiser_id": org.commission.id}).status_code == 201
    assert api.post("/api/v1/inspections", org.admin, json={
        "unit_id": org.sub_b1.id, "inspected_on": "2026-03-01", "method": "unannounced",
        "team": "Team Zhang"}).status_code == 201
    client = browser("admin")
    expected = {"/admin/users": ["handler_reviewer_a", "甲集团联络兼复查"],
                f"/admin/units?parent={org.group_b.id}": ["乙一公司", "GB-1"],
                "/admin/campaigns": ["Spring safety campaign"],
                "/admin/inspections": ["Team Zhang", "乙一公司"],
                f"/admin/users/{org.handler_a.id}": ["甲集团整改联络人"]}
    for url, snippets in expected.items():
        page = client.get(url)
        assert page.status_code == 200, url
        for snippet in snippets:
            assert snippet in text_of(page), (url, snippet)


def test_admin_pages_are_forbidden_to_everyone_else_but_their_roles(browser, org):
    for username in ("handler_a", "reviewer", "supervisor", "inspector"):
        client = browser(username)
        for url in [*ADMIN_PAGES, f"/admin/users/{org.handler_a.id}"]:
            response = client.get(url)
            if (username, url) in {("inspector", "/admin/inspections"),
                                   ("supervisor", "/admin/campaigns")}:
                assert response.status_code == 200  # visits and campaigns: as in the API
            else:
                assert response.status_code == 403, (username, url)


def test_admin_forms_create_and_edit(browser, rectify, org):
    client = browser("admin")
    created = client.post("/admin/users", data={
        "username": "new_handler", "display_name": "New handler", "password": "long-enough-pw",
        "roles": ["handler"], "unit": str(org.sub_b1.id), "language": "en"})
    assert created.status_code == 302
    unit = client.post("/admin/units", data={"code": "GB-2", "name_zh": "乙二公司",
                                              "name_en": "Subsidiary B2", "kind": "subsidiary",
                                              "parent_id": str(org.group_b.id)})
    assert unit.status_code == 302
    with rectify.unit_of_work(write=False) as uow:
        user = uow.session.scalar(select(User).where(User.username == "new_handler"))
        assert user is not None and user.role_set == {"handler"} and user.unit_id == org.sub_b1.id
        user_id = user.id
    edited = client.post(f"/admin/users/{user_id}", data={
        "display_name": "Renamed", "roles": ["handler", "reviewer"], "unit": str(org.group_b.id),
        "language": "zh_CN", "active": "1"})
    assert edited.status_code == 302
    with rectify.unit_of_work(write=False) as uow:
        user = uow.session.get(User, user_id)
        assert (user.display_name, user.role_set, user.unit_id) == (
            "Renamed", {"handler", "reviewer"}, org.group_b.id)
    assert "乙二公司" in text_of(client.get(f"/admin/units?parent={org.group_b.id}"))
    bad = client.post("/admin/users", data={"username": "x", "password": "pw", "roles": [],
                                           "unit": str(org.sub_b1.id)})
    assert bad.status_code == 422


def test_non_admin_form_posts_to_admin_pages_are_forbidden(browser, rectify, org):
    response = browser("supervisor").post("/admin/users", data={
        "username": "mallory", "display_name": "M", "password": "long-enough-pw",
        "roles": ["admin"], "unit": str(org.commission.id)})
    assert response.status_code == 403
    with rectify.unit_of_work(write=False) as uow:
        assert uow.session.scalar(select(User).where(User.username == "mallory")) is None


# --- languages ---------------------------------------------------------------------------------


def test_language_switch_changes_the_ui_language_and_is_remembered(app, browser, rectify,
                                                                    findings, org):
    url = f"/findings/{findings['raised']['id']}"
    user = browser("inspector")
    zh = text_of(user.get(url))
    assert html_lang(zh) == "zh-CN"
    assert "已发现" in zh and "一般问题整改" in zh and "甲集团" in zh
    assert '<button name="lang" value="en"' in zh

    response = user.post("/language", data={"lang": "en", "next": url})
    assert response.status_code == 302 and response.headers["Location"] == url
    en = text_of(user.get(url))
    assert html_lang(en) == "en"
    assert "Raised" in en and "Standard finding" in en and "Group A" in en
    assert "已发现" not in en and "一般问题整改" not in en
    # the UI text follows, from the compiled catalogue
    in_chinese = ui(app, "My work", "zh_CN")
    assert in_chinese != "My work"
    assert f">{in_chinese}</a>" in zh and f">{in_chinese}</a>" not in en
    assert ">My work</a>" in en and ">My work</a>" not in zh
    with rectify.unit_of_work(write=False) as uow:
        assert uow.session.get(User, org.inspector.id).language == "en"
    # kept on the account: a new session starts in English
    assert html_lang(text_of(browser("inspector").get(url))) == "en"
    # an unknown language is ignored
    user.post("/language", data={"lang": "fr", "next": url})
    assert html_lang(text_of(user.get(url))) == "en"


def test_accept_language_picks_the_language_for_anonymous_visitors(app, client):
    english = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert html_lang(text_of(english)) == "en"
    assert "<h1>Log in</h1>" in text_of(english)
    chinese = client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
    assert html_lang(text_of(chinese)) == "zh-CN"
    assert f"<h1>{ui(app, 'Log in', 'zh_CN')}</h1>" in text_of(chinese)
    assert ui(app, "Log in", "zh_CN") != "Log in"
    assert html_lang(text_of(client.get("/login"))) == "zh-CN"  # the default


def test_anonymous_language_switch_wins_over_accept_language(client):
    response = client.post("/language", data={"lang": "en", "next": "/login"})
    assert response.status_code == 302
    page = client.get("/login", headers={"Accept-Language": "zh-CN"})
    assert html_lang(text_of(page)) == "en"
