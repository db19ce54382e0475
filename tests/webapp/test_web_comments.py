"""Comments through the pages and the API, on SQLite and PostgreSQL: the Discussion card, the
timeline line linking to it, scope (404 outside), edits with their history, field errors that
change nothing, CSRF on both forms, mentions reaching the bell."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from web_support import assert_error, csrf_token_of, login, text_of

from workflow.models import Notification

pytestmark = pytest.mark.filterwarnings("error")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def finding(driver) -> dict:
    return driver.raise_("standard")


def comments_url(finding: dict) -> str:
    return f"/api/v1/findings/{finding['id']}/comments"


def post_comment(api, finding, who="handler_a", **body):
    return api.post(comments_url(finding), who, json={"text": "Boxes moved", **body})


def test_the_api_thread_edits_and_history(api, finding, flow, png):
    sha = api.upload("handler_a", png(7)).get_json()["sha256"]
    created = post_comment(api, finding, text="Boxes moved.\n@inspector please look",
                           files=[sha])
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert (body["text"], body["edited"], body["mentions"], body["editable"]) == (
        "Boxes moved.\n@inspector please look", False, ["inspector"], True)
    assert body["author"]["username"] == "handler_a" and body["author"]["unit"]["code"] == "GA"
    assert [a["sha256"] for a in body["attachments"]] == [sha]
    seq = body["seq"]
    edited = api.post(f"{comments_url(finding)}/{seq}/edits", "handler_a",
                      json={"text": "Boxes moved on Monday"})
    assert edited.status_code == 201
    assert [v["text"] for v in edited.get_json()["versions"]] == [
        "Boxes moved.\n@inspector please look", "Boxes moved on Monday"]
    thread = api.get(comments_url(finding), "inspector").get_json()
    assert [(c["seq"], c["text"], c["edited"], c["editable"]) for c in thread] == [
        (seq, "Boxes moved on Monday", True, False)]
    triggers = [e["trigger"] for e in api.get(f"/api/v1/findings/{finding['id']}/events",
                                              "inspector").get_json()]
    assert triggers == ["raise", "comment", "comment_edit"]
    assert flow.finding(finding["id"]).state == "raised"


def test_outside_the_scope_the_thread_is_not_found(api, browser, finding, flow):
    post_comment(api, finding)
    before = flow.snapshot(finding["id"])
    assert_error(api.get(comments_url(finding), "handler_b"), 404)
    assert_error(post_comment(api, finding, who="handler_b"), 404)
    assert_error(api.post(f"{comments_url(finding)}/2/edits", "handler_b", json={"text": "x"}),
                 404)
    outsider = browser("handler_b")
    assert outsider.get(f"/findings/{finding['id']}").status_code == 404
    assert outsider.post(f"/findings/{finding['id']}/comments",
                         data={"text": "Not mine"}).status_code == 404
    assert outsider.post(f"/findings/{finding['id']}/comments/2/edit",
                         data={"text": "Not mine"}).status_code == 404
    assert flow.snapshot(finding["id"]) == before


def test_api_refusals_name_the_field_and_change_nothing(app, api, finding, flow):
    seq = post_comment(api, finding).get_json()["seq"]
    before = flow.snapshot(finding["id"])
    for text, field_error in (("", "此项必填。"), ("x" * 4001, "最多 4000 个字。"),
                              ("a\x00b", "含有无法保存的控制字符。"),
                              ("ask @handler_b", "无法提及 @handler_b：本问题的可见范围内没有这个用户。")):
        body = assert_error(post_comment(api, finding, text=text), 422)
        assert body["errors"] == {"text": field_error}, body
    assert_error(post_comment(api, finding, files=["0" * 64] * 11), 422)
    assert "text" in assert_error(api.post(comments_url(finding), "handler_a", json={}),
                                  422)["errors"]
    assert_error(api.post(f"{comments_url(finding)}/{seq}/edits", "inspector",
                          json={"text": "Mine now"}), 403)
    assert_error(api.post(f"{comments_url(finding)}/{seq}/edits", "handler_a",
                          json={"text": "Boxes moved"}), 422)
    assert_error(api.post(f"{comments_url(finding)}/99/edits", "handler_a",
                          json={"text": "Where"}), 404)
    assert flow.snapshot(finding["id"]) == before


def test_the_discussion_card_shows_the_thread_escaped_with_its_history(browser, api, finding):
    seq = post_comment(api, finding, text="<b>bold</b>\nsecond line").get_json()["seq"]
    api.post(f"{comments_url(finding)}/{seq}/edits", "handler_a", json={"text": "Now plain"})
    page = text_of(browser("inspector").get(f"/findings/{finding['id']}"))
    assert f'id="comment-{seq}"' in page and "Now plain" in page
    assert "&lt;b&gt;bold&lt;/b&gt;\nsecond line" in page and "<b>bold</b>" not in page
    assert "甲集团整改联络人" in page and "已编辑" in page  # author and the "edited" mark
    assert f'action="/findings/{finding["id"]}/comments/{seq}/edit"' not in page  # not his
    own = text_of(browser("handler_a").get(f"/findings/{finding['id']}"))
    assert f'action="/findings/{finding["id"]}/comments/{seq}/edit"' in own
    assert f'href="#comment-{seq}" class="to-comment"' in page  # the timeline links to it
    assert page.count("Now plain") == 1  # the text is in the thread, not again in the timeline


def test_commenting_and_editing_from_the_page(app, browser, finding, flow, png):
    client = browser("handler_a")
    url = f"/findings/{finding['id']}"
    response = client.post(f"{url}/comments", data={
        "text": "Photo attached", "files": (BytesIO(png(3)), "exit.png")},
        content_type="multipart/form-data")
    assert response.status_code == 302 and response.location.endswith("#comment-2")
    assert flow.events(finding["id"])[-1].payload["files"]
    response = client.post(f"{url}/comments/2/edit", data={"text": "Photo of the exit"})
    assert response.status_code == 302
    page = text_of(client.get(url))
    assert "Photo of the exit" in page and "Photo attached" in page  # the earlier version too


def test_a_refused_page_form_keeps_the_text_and_shows_the_error(app, browser, finding, flow):
    client = browser("handler_a")
    url = f"/findings/{finding['id']}"
    before = flow.snapshot(finding["id"])
    response = client.post(f"{url}/comments", data={"text": "Ask @nobody about it"})
    assert response.status_code == 422
    page = text_of(response)
    assert "无法提及 @nobody：本问题的可见范围内没有这个用户" in page and "Ask @nobody about it" in page
    response = client.post(f"{url}/comments", data={"text": " "})
    assert response.status_code == 422 and "此项必填。" in text_of(response)
    assert flow.snapshot(finding["id"]) == before
    client.post(f"{url}/comments", data={"text": "Mine"})
    response = browser("inspector").post(f"{url}/comments/2/edit", data={"text": "Yours"})
    assert response.status_code == 403
    assert "只有评论的作者可以修改它" in text_of(response)


def test_a_mention_rings_the_bell_of_the_one_mentioned(api, rectify, finding):
    post_comment(api, finding, text="@reviewer @inspector see this")
    with rectify.unit_of_work(write=False) as uow:
        notes = uow.session.query(Notification).order_by(Notification.id).all()
        assert [(n.user.username, n.kind) for n in notes] == [
            ("reviewer", "mention"), ("inspector", "mention")]
    bell = api.get("/api/v1/notifications", "reviewer").get_json()["items"]
    assert [n["kind"] for n in bell] == ["mention"]
    assert bell[0]["subject"].startswith("【评论提及】")
    assert "甲集团整改联络人 在评论中提到了您" in bell[0]["text"]
    assert bell[0]["url"] == f"/findings/{finding['id']}#comment-2"
    assert api.get("/api/v1/notifications", "handler_b").get_json()["items"] == []


def form_token(page: str, form_id: str) -> str:
    """The CSRF token the form with this id carries (each form must carry its own)."""
    form = re.search(f'<form [^>]*id="{form_id}">(.*?)</form>', page, re.S)
    assert form, f"no form {form_id}"
    return csrf_token_of(form.group(1))


def test_both_comment_forms_need_the_csrf_token(make_app, finding, flow):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    token = csrf_token_of(text_of(client.get("/login")))
    assert login(client, "handler_a", csrf_token=token).status_code == 302
    url = f"/findings/{finding['id']}"
    token = form_token(text_of(client.get(url)), "comment-form")
    before = flow.snapshot(finding["id"])
    assert client.post(f"{url}/comments", data={"text": "No token"}).status_code == 400
    assert flow.snapshot(finding["id"]) == before
    assert client.post(f"{url}/comments", data={"text": "With token",
                                                "csrf_token": token}).status_code == 302
    token = form_token(text_of(client.get(url)), "edit-comment-2")
    before = flow.snapshot(finding["id"])
    assert client.post(f"{url}/comments/2/edit", data={"text": "No token"}).status_code == 400
    assert flow.snapshot(finding["id"]) == before
    assert client.post(f"{url}/comments/2/edit", data={"text": "Edited",
                                                       "csrf_token": token}).status_code == 302
