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
