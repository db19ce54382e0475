"""Letters through the pages and the API: sending from a finding, the letter as a record, the
reply form for an addressee only, My work, the finding's Letters card, the dashboard's numbers,
the reply files' download, the one error format."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from web_support import assert_error, text_of, ui

Client = Any


def send_api(api: Any, org: Any, **extra: Any) -> dict[str, Any]:
    body = {"subject": "关于协调用工的提醒函", "text": "请于期限内回复。",
            "addressees": [org.group_a.id, org.group_b.id], **extra}
    response = api.post("/api/v1/letters", org.inspector, json=body)
    assert response.status_code == 201, response.get_json()
    return dict(response.get_json())


def test_the_api_sends_lists_reads_and_takes_one_reply(api: Any, org: Any, driver: Any) -> None:
    finding = driver.raise_()
    letter = send_api(api, org, finding=finding["id"])
    assert letter["number"] == "〔2026〕1号" and letter["state"] == "pending"
    assert [a["unit"]["code"] for a in letter["addressees"]] == ["GA", "GB"]
    sha = api.upload(org.handler_a, driver.png(7), "reply.png").get_json()["sha256"]
    reply = api.post(f"/api/v1/letters/{letter['id']}/replies", org.handler_a,
                     json={"text": "已落实", "attachments": [sha]})
    assert reply.status_code == 201, reply.get_json()
    assert reply.get_json()["replied"] and reply.get_json()["attachments"][0]["sha256"] == sha
    again = api.post(f"/api/v1/letters/{letter['id']}/replies", org.handler_reviewer_a,
                     json={"text": "再改"})
    assert_error(again, 403)
    assert api.get(f"/api/v1/attachments/{sha}", org.handler_b).status_code == 200
    assert_error(api.get(f"/api/v1/attachments/{sha}", org.handler_a1), 404)
    assert_error(api.get(f"/api/v1/letters/{letter['id']}", org.handler_a1), 404)
    assert_error(api.post(f"/api/v1/letters/{letter['id']}/replies", org.handler_a1,
                          json={"text": "x"}), 404)
    listed = api.get(f"/api/v1/letters?finding={finding['id']}", org.handler_b).get_json()
    assert [x["id"] for x in listed["items"]] == [letter["id"]] and listed["total"] == 1
    assert api.get("/api/v1/letters", org.handler_a1).get_json()["total"] == 0
    numbers = api.get("/api/v1/dashboard", org.supervisor).get_json()["letters"]
    assert numbers["totals"] == {"sent": 1, "replied": 0, "pending": 1, "overdue": 0}
    assert numbers["by_body"][0]["unit_id"] == org.inspection_body.id


def test_the_api_names_each_bad_field(api: Any, org: Any) -> None:
    body = {"subject": "", "text": "x" * 8001, "addressees": [org.inspection_body.id],
            "reply_due_date": "2020-01-01"}
    errors = assert_error(api.post("/api/v1/letters", org.inspector, json=body), 422)["errors"]
    assert set(errors) == {"subject", "text", "addressees", "reply_due_date"}
    assert_error(api.post("/api/v1/letters", org.handler_a, json=dict(
        body, subject="s", text="t", addressees=[org.group_b.id], reply_due_date=None)), 403)
    assert api.get("/api/v1/letters", org.admin).get_json()["total"] == 0


def test_pages_send_from_a_finding_and_reply_as_an_addressee(
        app: Any, browser: Any, org: Any, driver: Any) -> None:
    finding = driver.raise_()
    inspector = browser("inspector")
    page = text_of(inspector.get(f"/findings/{finding['id']}"))
    assert ui(app, "Send a reminder letter") in page
    form = text_of(inspector.get(f"/letters/new?finding={finding['id']}"))
    assert ui(app, "Addressees") in form and "甲集团" not in form  # a picker, no list of units
    refused = inspector.post(f"/letters/new?finding={finding['id']}",
                             data={"subject": "", "text": "正文", "kind": "reminder",
                                   "addressees": [str(org.group_a.id)]})
    assert refused.status_code == 422 and "正文" in text_of(refused)
    sent = inspector.post(f"/letters/new?finding={finding['id']}", data={
        "subject": "提醒函：请协调用工", "text": "请回复。", "kind": "reminder",
        "addressees": [str(org.group_a.id), str(org.group_b.id)]})
    assert sent.status_code == 302
    letter_url = sent.headers["Location"]
    assert "〔2026〕1号" in text_of(inspector.get(letter_url))
    assert "提醒函：请协调用工" in text_of(inspector.get(f"/findings/{finding['id']}"))
    assert ui(app, "Letter sent") in text_of(inspector.get(f"/findings/{finding['id']}"))
    handler = browser("handler_b")
    work = text_of(handler.get("/work"))
    assert ui(app, "Letters awaiting your reply") in work and 'data-light="green"' in work
    assert 'id="reply-form"' in text_of(handler.get(letter_url))
    assert 'id="reply-form"' not in text_of(inspector.get(letter_url))
    replied = handler.post(letter_url + "/reply", data={
        "text": "已协调人社部门。", "attachments": (BytesIO(driver.png(3)), "reply.png")},
        content_type="multipart/form-data")
    assert replied.status_code == 302
    shown = text_of(inspector.get(letter_url))
    assert "已协调人社部门。" in shown and "reply.png" in shown
    assert ui(app, "Letters awaiting your reply") not in text_of(handler.get("/work"))
    assert browser("handler_a1").get(letter_url).status_code == 404
    board = text_of(browser("supervisor").get("/dashboard"))
    assert ui(app, "Reminder letters") in board
    listing = text_of(inspector.get("/letters?state=pending"))
    assert "提醒函：请协调用工" in listing
    assert "提醒函：请协调用工" not in text_of(inspector.get("/letters?state=replied"))
    assert inspector.get("/letters?state=nonsense").status_code == 200


def test_the_reply_form_is_not_offered_to_the_sending_side_and_refuses_twice(
        app: Any, browser: Any, org: Any, api: Any) -> None:
    letter = send_api(api, org)
    handler = browser("handler_a")
    url = f"/letters/{letter['id']}"
    assert handler.post(url + "/reply", data={"text": "好"}).status_code == 302
    second = browser("handler_reviewer_a").post(url + "/reply", data={"text": "再"})
    assert second.status_code == 403
    assert browser("inspector").post(url + "/reply", data={"text": "x"}).status_code == 403
