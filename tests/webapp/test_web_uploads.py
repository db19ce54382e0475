"""Uploads through the pages and the API: nothing stored before the checks, per-user limits on
unused uploads, the sniffed type's extension, and tampered files never served."""

from __future__ import annotations

import hashlib
import logging
from io import BytesIO
from typing import Any

from web_support import assert_error, text_of, ui
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from workflow.models import Attachment

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def multipart(client: Any, url: str, fields: dict[str, Any], files: list[tuple[str, bytes, str]]):
    """POST fields and files (name, bytes, filename) as multipart, encoded in memory."""
    data = MultiDict(fields)
    for name, content, filename in files:
        data.add(name, FileStorage(BytesIO(content), filename=filename, content_type="image/png"))
    boundary, body = encode_multipart(data)
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def _assigned(driver: Any) -> dict[str, Any]:
    finding = driver.raise_("standard")
    driver.fire(finding["id"], "assign")
    return driver.finding(finding["id"])


def test_a_transition_the_user_may_not_fire_stores_none_of_its_files(
        browser, driver, png, attachment_files, rectify):
    finding = _assigned(driver)
    files = [("evidence", png(500 + i), f"p{i}.png") for i in range(5)]
    fields = {"version": finding["version"], "measures": "Exits cleared"}
    url = f"/findings/{finding['id']}/fire/report_rectification"
    before = attachment_files()
    # the inspector is on the inspecting side: report_rectification is the unit's own step
    refused = multipart(browser("inspector"), url, fields, files)
    assert refused.status_code == 403
    # handler_b cannot see the finding at all
    assert multipart(browser("handler_b"), url, fields, files).status_code == 404
    # more files than max_count (10), by the right user: refused before storing any
    many = [("evidence", png(600 + i), f"m{i}.png") for i in range(11)]
    too_many = multipart(browser("handler_a"), url, fields, many)
    assert too_many.status_code == 422
    assert "最多上传 10 个文件" in text_of(too_many)
    assert attachment_files() == before
    with rectify.unit_of_work(write=False) as uow:
        assert uow.session.query(Attachment).count() == len(before)


def test_unused_uploads_are_limited_per_user_with_a_field_error(make_app, rectify, api, png, org):
    rectify.store.unlinked_files = 2
    for seed in (1, 2):
        assert api.upload("handler_a", png(seed)).status_code == 201
    assert api.upload("handler_a", png(1)).status_code == 201  # the same bytes again: its row
    body = assert_error(api.upload("handler_a", png(3)), 422)
    assert "unused uploads" in body["errors"]["file"] or "尚未使用" in body["errors"]["file"]
    assert api.upload("handler_b", png(3)).status_code == 201  # another user's own allowance
    rectify.store.unlinked_files, rectify.store.unlinked_bytes = 50, 100
    body = assert_error(api.upload("handler_b", png(4)), 422)  # bytes: 2 small PNGs > 100 bytes
    assert "file" in body["errors"]


def test_a_pdf_named_html_is_served_as_pdf(api):
    uploaded = api.upload("handler_a", PDF, name="poly.pdf.html")
    assert uploaded.status_code == 201
    body = uploaded.get_json()
    assert body["media_type"] == "application/pdf"
    assert body["original_name"] == "poly.pdf.html"  # display text only
    served = api.get(body["url"], "handler_a")
    assert served.status_code == 200 and served.data == PDF
    assert served.mimetype == "application/pdf"
    disposition = served.headers["Content-Disposition"]
    assert disposition.endswith("''poly.pdf") and "html" not in disposition
    other = api.upload("handler_a", PDF + b"1", name="scan.html").get_json()
    assert api.get(other["url"], "handler_a").headers["Content-Disposition"].endswith("''scan.pdf")


def test_a_file_whose_bytes_changed_is_refused_and_logged(api, rectify, png, caplog):
    data = png(77)
    body = api.upload("handler_a", data).get_json()
    path = rectify.store.blobs.path_for(body["sha256"])
    path.write_bytes(png(78))  # swapped on disk behind the app's back
    with caplog.at_level(logging.WARNING):
        refused = api.get(body["url"], "handler_a")
    assert_error(refused, 409)
    assert png(78) not in refused.data
    assert any(body["sha256"] in r.getMessage() and str(path) in r.getMessage()
               for r in caplog.records if r.levelno == logging.WARNING)
    path.unlink()
    assert_error(api.get(body["url"], "handler_a"), 409)
    assert hashlib.sha256(data).hexdigest() == body["sha256"]


def test_a_tampered_thumbnail_in_a_page_gets_an_error_in_the_users_language(app, browser, api, rectify,
                                                                     png):
    body = api.upload("handler_a", png(79)).get_json()
    rectify.store.blobs.path_for(body["sha256"]).write_bytes(b"<script>alert(1)</script>")
    page = browser("handler_a").get(body["url"])
    assert page.status_code == 409
    assert b"<script>alert(1)</script>" not in page.data
    assert page.get_json()["message"] == ui(
        app, "This evidence file is damaged or missing on the server and is not served; "
             "the administrators have been told.")


def test_the_raise_page_stores_no_file_when_there_are_too_many(browser, org, png, attachment_files):
    fields = {"lifecycle": "standard", "title": "Blocked exit", "category": "work_safety",
              "severity": "medium", "unit": org.group_a.id}
    many = [("evidence", png(700 + i), f"r{i}.png") for i in range(11)]
    client = browser("inspector")
    refused = multipart(client, "/raise", fields, many)
    assert refused.status_code == 422
    assert "最多上传 10 个文件" in text_of(refused) and "Blocked exit" in text_of(refused)
    assert attachment_files() == []
    assert client.get("/raise").status_code == 200  # the address left behind reloads
