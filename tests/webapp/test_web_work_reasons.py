"""My work in the browser: why each finding is there (the send-back's reason and round, the 签收
deadline), the "waiting on others" card, and the report form starting from the last measures."""

from __future__ import annotations

import html

from tests.webapp.web_support import ui, zh_day


def test_my_work_says_why_and_what_waits_on_others(app, browser, flow):
    back = flow.drive(flow.raise_().id, "assign", "acknowledge", "report_rectification",
                      "revisit").id
    flow.fire(back, "reject", payload={"reason": "Boxes back at night"})
    unacknowledged = flow.drive(flow.raise_().id, "assign")
    asked = flow.drive(flow.raise_().id, "assign", "request_extension")
    page = html.unescape(browser("handler_a").get("/work").get_data(as_text=True))
    assert ui(app, "Sent back (round %(n)s): %(reason)s", n=1,
              reason="Boxes back at night") in page
    assert "第1轮退回：Boxes back at night" in page
    assert ui(app, "Acknowledge by %(day)s",
              day=zh_day(unacknowledged.acknowledge_due_date)) in page
    waiting = page.split('id="waiting-on-others"')[1].split("</section>")[0]
    assert f'data-finding="{asked.id}"' in waiting and f'data-finding="{back}"' not in waiting


def test_the_report_form_starts_from_the_previous_measures(browser, flow):
    fid = flow.drive(flow.raise_().id, "assign", "acknowledge").id
    flow.fire(fid, "report_rectification", payload={
        "measures": "Moved the boxes to the store", "evidence": [flow.evidence(
            flow.org.handler_a)]})
    flow.drive(fid, "revisit", "reject")
    page = browser("handler_a").get(f"/findings/{fid}").get_data(as_text=True)
    form = page.split('id="form-report_rectification"')[1].split("</form>")[0]
    assert ">Moved the boxes to the store</textarea>" in form


def test_my_work_shows_the_longest_waiting_and_links_to_every_one(app, browser, flow,
                                                                  monkeypatch):
    from web.pages import work

    monkeypatch.setattr(work, "ON_MY_WORK", 1)
    monkeypatch.setattr(work, "PAGE_SIZE", 2)
    asked = [flow.drive(flow.raise_().id, "assign", "request_extension").id for _ in range(3)]
    client = browser("handler_a")
    page = client.get("/work").get_data(as_text=True)
    card = page.split('id="waiting-on-others"')[1].split("</section>")[0]
    assert "<small>3</small>" in card  # every one counted, one shown
    assert [f'data-finding="{i}"' in card for i in asked] == [True, False, False]
    assert ui(app, "All %(n)s waiting on others", n=3) in html.unescape(card)
    first = client.get("/work/waiting").get_data(as_text=True)
    second = client.get("/work/waiting?page=2").get_data(as_text=True)
    assert [f'data-finding="{i}"' in first for i in asked] == [True, True, False]
    assert [f'data-finding="{i}"' in second for i in asked] == [False, False, True]
    assert "1 / 2" in first and 'href="/work/waiting?page=2"' in first
    assert "2 / 2" in second and 'href="/work/waiting?page=1"' in second
    assert 'href="/work/waiting?page=3"' not in second  # the last page offers no next one
    past = client.get("/work/waiting?page=7")  # a link older than the list: its last page
    assert past.status_code == 302 and past.headers["Location"].endswith("/work/waiting?page=2")
    assert client.get("/work/waiting", query_string={"page": "1\x00"}).status_code == 422
    for bad in ("0", "abc", "99999", "-1"):
        wrong = client.get("/work/waiting", query_string={"page": bad})
        text = html.unescape(wrong.get_data(as_text=True))
        assert wrong.status_code == 200 and "页码应为 1 到 10000 的整数。" in text
        assert f'data-finding="{asked[0]}"' in text  # the first page instead
    other = browser("handler_b").get("/work/waiting").get_data(as_text=True)
    assert not any(f'data-finding="{i}"' in other for i in asked)
    assert ui(app, "Nothing here.") in other


def test_my_work_without_more_waiting_has_no_link(app, browser, flow):
    flow.drive(flow.raise_().id, "assign", "request_extension")
    page = html.unescape(browser("handler_a").get("/work").get_data(as_text=True))
    assert 'id="all-waiting"' not in page and "<small>1</small>" in page
