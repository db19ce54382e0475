"""The finding page's time: the due-date history in order (set, extended, reset on rework), 签收
status, the follow-up check deadline, unit and reviewer delays (the same numbers as the API's),
and ladder steps on the timeline with their label, who was told, the level and accountability."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import select
from web_support import text_of, zh_day

from workflow.models import Finding, User
from workflow.services.events import append_event
from workflow.services.light import days_overdue


def fired(driver, finding_id, trigger, actor, payload):
    response = driver.fire(finding_id, trigger, actor=actor, payload=payload)
    assert response.status_code == 200, (trigger, response.get_json())
    return response.get_json()


def history_of(page: str) -> list[tuple[str, str]]:
    """(kind, new date) of each entry of the due-date history, in page order."""
    block = page.split('id="due-history"', 1)[1].split("</ol>", 1)[0]
    return re.findall(r'data-kind="(\w+)">.*?<strong>([\d年月日]+)</strong>', block, re.S)


def test_the_due_date_history_after_an_extension_and_a_rework(driver, browser, api, org, clock):
    today = driver.today()
    d1, d2, d3 = (today + timedelta(days=n) for n in (10, 20, 40))
    fid = driver.raise_(title="Extinguishers expired")["id"]
    fired(driver, fid, "assign", org.inspector, {"requirement": "Replace them",
                                                 "due_date": d1.isoformat()})
    client = browser("admin")
    page = text_of(client.get(f"/findings/{fid}"))
    ack_by = driver.finding(fid)["acknowledge_due_date"]
    assert f"未签收（应于 {zh_day(ack_by)} 前签收）" in page
    fired(driver, fid, "acknowledge", org.handler_a, {})
    fired(driver, fid, "request_extension", org.handler_a,
          {"requested_due_date": d2.isoformat(), "reason": "Supplier is late"})
    fired(driver, fid, "approve_extension", org.supervisor, {"comment": "Fine"})
    fired(driver, fid, "report_rectification", org.handler_a,
          {"measures": "All replaced", "evidence": driver.files(org.handler_a, 1)})
    review_by = driver.finding(fid)["review_due_date"]
    assert f'id="review-due">{zh_day(review_by)}<' in text_of(client.get(f"/findings/{fid}"))
    clock.advance(days=14)  # the reviewer is late
    fired(driver, fid, "revisit", org.reviewer, {"visited_on": driver.today().isoformat(),
                                                 "method": "onsite", "observations": "Two old"})
    fired(driver, fid, "reject", org.reviewer, {"reason": "Two still expired",
                                                "due_date": d3.isoformat()})
    page = text_of(browser("admin").get(f"/findings/{fid}"))  # a new login, days later
    assert history_of(page) == [("set", zh_day(d1)), ("extended", zh_day(d2)),
                                ("rework", zh_day(d3))]
    assert "已签收" in page and "未签收" not in page
    finding = driver.finding(fid)
    reviewer = finding["delays"]["reviewer"]
    decided = today + timedelta(days=14)
    with driver.rectify.unit_of_work(write=False) as uow:
        expected = days_overdue(date.fromisoformat(review_by), decided, uow.calendar)[0]
    assert reviewer == {"working_days": expected, "until": decided.isoformat(),
                        "running": False, "estimated": False} and expected > 0
    assert f'id="reviewer-delay" class="late">{expected} 个工作日' in page
    assert finding["delays"]["unit"] is None and 'id="unit-delay"' not in page


def test_the_unit_delay_runs_until_the_report(driver, browser, org, clock):
    fid = driver.raise_(title="Guard rail loose")["id"]
    due = driver.today() + timedelta(days=3)
    fired(driver, fid, "assign", org.inspector, {"requirement": "Fix it",
                                                 "due_date": due.isoformat()})
    clock.advance(days=10)  # before logging in: a session ends after 12 hours
    unit = driver.finding(fid)["delays"]["unit"]
    assert unit["running"] is True and unit["working_days"] > 0
    page = text_of(browser("inspector").get(f"/findings/{fid}"))
    assert f'id="unit-delay" class="late">{unit["working_days"]} 个工作日' in page


def test_a_ladder_step_shows_its_label_who_was_told_its_level_and_accountability(
        driver, browser, rectify, org):
    fid = driver.raise_(title="Stairwell lights out")["id"]
    fired(driver, fid, "assign", org.inspector, {"requirement": "Repair",
                                                 "due_date": driver.today().isoformat()})
    with rectify.unit_of_work() as uow:  # as the tick writes it (workflow.services.tick)
        system = User(username="system", display_name="system", password_hash="!",
                      roles="", unit_id=org.commission.id, active=False)
        uow.session.add(system)
        finding = uow.session.scalar(select(Finding).where(Finding.id == fid))
        append_event(uow.session, finding, "ladder", finding.state, finding.state, system,
                     {"step": "overdue_14", "clock": "rectify", "anchor": "2026-03-02",
                      "on": "2026-03-20", "level": 3, "accountability": True,
                      "notified": ["inspector", "supervisor"]}, uow.now())
        uow.commit()
    page = text_of(browser("admin").get(f"/findings/{fid}"))
    step = page.split('data-step="overdue_14"', 1)[1].split("</li>", 1)[0]
    assert "逾期十四个工作日，建议问责" in step and "逾期等级 3" in step
    assert "建议问责" in step and "检查员" in step and "监督员" in step
    assert "· 系统" in page.split('data-step="overdue_14"', 1)[0].rsplit("<li>", 1)[1]


def test_a_recurrence_links_to_its_original_and_back(driver, browser, api, org):
    fid = driver.raise_(title="Fire doors propped open")["id"]
    today = driver.today()
    fired(driver, fid, "assign", org.inspector, {"requirement": "Close them",
                                                 "due_date": (today + timedelta(days=9)).isoformat()})
    fired(driver, fid, "report_rectification", org.handler_a,
          {"measures": "Closers fitted", "evidence": driver.files(org.handler_a, 1)})
    fired(driver, fid, "revisit", org.reviewer, {"visited_on": today.isoformat(),
                                                 "method": "onsite", "observations": "Closed"})
    fired(driver, fid, "confirm", org.supervisor, {"conclusion": "Done"})
    lookback = driver.finding(fid)["lookback_due_date"]
    assert f'id="lookback-due">{zh_day(lookback)}<' in text_of(browser("admin").get(f"/findings/{fid}"))
    driver.rectify.clock.advance(days=(date.fromisoformat(lookback) - today).days)  # due now
    today = driver.today()
    fired(driver, fid, "look_back", org.reviewer, {"visited_on": today.isoformat(),
                                                   "outcome": "recurred",
                                                   "observations": "Propped open again"})
    original = driver.finding(fid)
    assert original["recurrences"] == 1 and len(original["recurrence_codes"]) == 1
    again = next(f for f in api.get("/api/v1/findings", org.admin).get_json()["items"]
                 if f["code"] == original["recurrence_codes"][0])
    assert again["recurrence_of"] == original["code"]
    client = browser("handler_a")
    page = text_of(client.get(f"/findings/{fid}"))
    assert f'/findings/{again["id"]}" class="recurrence">{again["code"]}</a>' in page
    assert "问题反弹，重新立项" in page  # the look-back's outcome, labelled
    back = text_of(client.get(f"/findings/{again['id']}"))
    assert f'/findings/{fid}" class="recurrence-of">{original["code"]}</a>' in back
