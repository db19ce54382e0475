"""Official documents on the web: DOCX downloads (content type, file names), printable pages,
the finding page's Documents card, the API, scope (404) and clear refusals (409, never 500)."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from document_support import (
    CONCLUSION,
    close_one,
    make_campaign,
    make_letter,
    read_docx,
    table_rows,
    text_of,
)
from web_support import Api, assert_error, build_app, login

from workflow.runtime import Rectify

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def records(rectify, org, flow):
    """A campaign, its closed finding at group_a and a letter about it to group_a."""
    campaign = make_campaign(rectify, org)
    closed = close_one(flow, campaign)
    letter_id = make_letter(rectify, org.inspection_body, [org.group_a], org.inspector, closed.id)
    return SimpleNamespace(campaign=campaign, closed=closed, letter_id=letter_id)


def _paths(records):
    closed, letter_id, campaign = records.closed, records.letter_id, records.campaign
    return [f"/findings/{closed.id}/documents/notice.docx",
            f"/findings/{closed.id}/documents/closure.docx",
            f"/letters/{letter_id}/document.docx",
            f"/campaigns/{campaign.id}/documents/list.docx"]


def test_each_document_downloads_as_docx_under_its_name(browser, records):
    closed = records.closed
    page = browser("handler_a")
    names = ["整改通知书-" + closed.code, "销号确认单-" + closed.code, "提醒函-苏纪提〔2026〕12号",
             "问题清单-2026年安全生产专项检查-2026-03-02"]
    for path, name in zip(_paths(records), names, strict=True):
        response = page.get(path)
        assert response.status_code == 200, path
        assert response.mimetype == DOCX
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith('attachment; filename="')
        assert disposition.endswith("filename*=UTF-8''" + quote(name + ".docx", safe=""))
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert closed.code in text_of(read_docx(response.data)) or "提醒函" in name


def test_the_language_of_a_document_is_chosen_by_lang(browser, records):
    closed = records.closed
    response = browser("inspector").get(f"/findings/{closed.id}/documents/notice.docx?lang=en")
    assert "rectification-notice-" in response.headers["Content-Disposition"]
    assert "Rectification Notice" in text_of(read_docx(response.data))


def test_documents_out_of_scope_are_not_found(browser, records, flow, org):
    closed, letter_id, campaign = records.closed, records.letter_id, records.campaign
    outsider = browser("handler_b")
    prints = [f"/findings/{closed.id}/print/notice", f"/findings/{closed.id}/print/closure",
              f"/letters/{letter_id}/print"]
    for path in _paths(records)[:3] + prints:
        assert outsider.get(path).status_code == 404, path
    rows = table_rows(read_docx(outsider.get(f"/campaigns/{campaign.id}/documents/list.docx").data))
    assert len(rows) == 1  # the campaign is in view, none of its findings are: the header only
    assert outsider.get(f"/campaigns/{campaign.id + 9}/print/list").status_code == 404


def test_no_closure_for_an_open_finding_a_clear_409(browser, api, flow, org):
    finding = flow.raise_()
    response = browser("inspector").get(f"/findings/{finding.id}/documents/closure.docx")
    assert response.status_code == 409 and "尚未销号" in response.get_data(as_text=True)
    body = assert_error(api.get(f"/api/v1/findings/{finding.id}/documents/closure.docx?lang=en",
                                org.inspector), 409)
    assert "尚未销号" in body["message"]  # in the caller's language, whatever the document's


def test_the_printable_notice_is_the_document_without_the_site_around_it(browser, records):
    closed = records.closed
    html = browser("handler_a").get(f"/findings/{closed.id}/print/notice").get_data(as_text=True)
    assert 'class="red-header"' in html and "第一纪检监察组" in html
    assert f"问题编号：{closed.code}" in html and "整改通知书" in html
    assert "甲集团：" in html and "Clear the exits, name a fire warden" in html
    assert "（盖章）" in html and "二〇二六年三月二日" in html
    assert "/static/css/document." in html and 'class="toolbar no-print"' in html
    assert "<nav" not in html and "topbar" not in html and "<form" not in html
    english = browser("handler_a").get(f"/findings/{closed.id}/print/notice?lang=en")
    assert "Rectification Notice" in english.get_data(as_text=True)


def test_the_printable_closure_letter_and_list(browser, records):
    closed, letter_id, campaign = records.closed, records.letter_id, records.campaign
    page = browser("inspector")
    closure = page.get(f"/findings/{closed.id}/print/closure").get_data(as_text=True)
    assert "销号确认单" in closure and "photo-1.png" in closure and CONCLUSION in closure
    letter = page.get(f"/letters/{letter_id}/print").get_data(as_text=True)
    assert "苏纪提〔2026〕12号" in letter and "请于二〇二六年十二月十日前书面回复。" in letter
    listing = page.get(f"/campaigns/{campaign.id}/print/list?lang=en").get_data(as_text=True)
    assert "2026年安全生产专项检查: Findings List" in listing and closed.code in listing
    assert 'class="document-page landscape"' in listing


def test_the_print_stylesheet_sets_a4_and_hides_the_toolbar(client):
    with client.get("/static/css/document.css") as response:
        assert response.status_code == 200
        css = response.get_data(as_text=True)
    assert "@page { size: A4; margin: 37mm 26mm 35mm 28mm; }" in css
    assert "@media print" in css and ".no-print { display: none !important; }" in css


def test_the_finding_page_offers_the_documents_closure_once_closed(browser, records, flow):
    closed = records.closed
    page = browser("handler_a")
    html = page.get(f"/findings/{closed.id}").get_data(as_text=True)
    assert f"/findings/{closed.id}/documents/notice.docx?lang=zh" in html
    assert f"/findings/{closed.id}/documents/closure.docx?lang=en" in html
    assert f"/findings/{closed.id}/print/closure" in html
    assert f"/campaigns/{closed.campaign_id}/documents/list.docx" in html
    open_one = flow.raise_()
    html = page.get(f"/findings/{open_one.id}").get_data(as_text=True)
    assert f"/findings/{open_one.id}/print/notice" in html
    assert "closure.docx" not in html and 'id="document-closure"' not in html


def test_the_api_serves_the_same_documents(api, records, org):
    closed, letter_id = records.closed, records.letter_id
    for path in _paths(records):
        response = api.get(f"/api/v1{path}?lang=en", org.admin)
        assert response.status_code == 200 and response.mimetype == DOCX, path
        assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    assert_error(api.get(f"/api/v1/findings/{closed.id}/documents/notice.docx?lang=fr",
                         org.admin), 422)
    assert_error(api.get(f"/api/v1/letters/{letter_id}/document.docx", org.handler_b), 404)


def test_the_openapi_document_declares_the_docx_media_type(api, org):
    document = api.get("/api/v1/openapi.json", org.admin).get_json()
    for path in ("/api/v1/findings/{finding_id}/documents/notice.docx",
                 "/api/v1/findings/{finding_id}/documents/closure.docx",
                 "/api/v1/letters/{letter_id}/document.docx",
                 "/api/v1/campaigns/{campaign_id}/documents/list.docx"):
        answers = document["paths"][path]["get"]["responses"]
        assert list(answers["200"]["content"]) == [DOCX], path
        assert {"404", "409"} <= set(answers)


def test_a_broken_template_of_the_organisation_is_a_409_naming_the_file(rectify, records, org,
                                                                         tmp_path):
    closed = records.closed
    (tmp_path / "notice.zh.docx").write_bytes(b"this is not a Word file")
    replaced = Rectify(dataclasses.replace(rectify.settings, document_templates=tmp_path),
                       clock=rectify.clock, registry=rectify.registry)
    try:
        app = build_app(replaced)
        caller = Api(app, replaced, org)
        body = assert_error(caller.get(f"/api/v1/findings/{closed.id}/documents/notice.docx"
                                       "?lang=zh", org.admin), 409)
        assert "notice.zh.docx" in body["message"]
        page = app.test_client()
        assert login(page, "admin").status_code == 302
        answer = page.get(f"/findings/{closed.id}/print/notice")  # the page needs no template
        assert answer.status_code == 200
        answer = page.get(f"/findings/{closed.id}/documents/notice.docx")
        assert answer.status_code == 409
        assert "文书模板 notice.zh.docx 无法使用" in answer.get_data(as_text=True)
        fine = caller.get(f"/api/v1/findings/{closed.id}/documents/notice.docx?lang=en",
                          org.admin)
        assert fine.status_code == 200  # the shipped English template is still used
    finally:
        replaced.database.dispose()
