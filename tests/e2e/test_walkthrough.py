"""One standard finding walked from raised to closed through the pages, in zh_CN, in Chromium.

Each role logs in through the login page in its own browser context; every step is done by
clicking and typing, and checked on what the page shows: state labels from
definitions/standard.v2.yaml, the finding code, field errors from workflow/payload.py.
A full-page screenshot of each step lands in test-artifacts/e2e/.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.e2e.picker_steps import pick_unit_by_code

if TYPE_CHECKING:  # the fixtures' types, for reading only (conftest modules are not imported)
    from tests.conftest import FakeClock, Org
    from tests.e2e.conftest import LiveServer
    from workflow.runtime import Rectify

pytestmark = pytest.mark.e2e

TITLE = "消防通道被杂物堵塞"
TIMEOUT_MS = 10_000
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}  # the inspector raises on site, on a phone


def today(clock: FakeClock, rectify: Rectify) -> date:
    """Today in the organisation's zone on the fake clock the server reads."""
    return clock().astimezone(rectify.zone).date()


class Walk:
    """The browser side: one logged-in page per role, and the steps they take."""

    def __init__(self, browser: Any, server: LiveServer, org: Org,
                 shots: Callable[[Any, str], Path]) -> None:
        self.browser, self.url, self.org, self.shots = browser, server.url, org, shots
        self.pages: dict[str, Any] = {}
        self.contexts: list[Any] = []
        self.step = 0

    def shot(self, page: Any, name: str) -> None:
        self.step += 1
        self.shots(page, f"{self.step:02d}-{name}")

    def login(self, username: str, phone: bool = False) -> Any:
        """The role's page, logging in through the login form the first time."""
        if username in self.pages:
            return self.pages[username]
        size = PHONE if phone else DESKTOP
        context = self.browser.new_context(locale="zh-CN", viewport=size, is_mobile=phone,
                                           has_touch=phone)
        context.set_default_timeout(TIMEOUT_MS)
        self.contexts.append(context)
        page = context.new_page()
        page.goto(f"{self.url}/work")
        assert "/login" in page.url  # not logged in: sent to the login page
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", self.org.password)
        if not self.pages:
            self.shot(page, "login")
        page.click("form:has(input[name=password]) button[type=submit]")
        page.wait_for_url(re.compile(r"/work$"))
        user = self.org.users[username]
        assert user.language == "zh_CN"
        assert page.locator("html").get_attribute("lang") == "zh-CN"
        assert user.display_name in page.locator(".topbar .who").inner_text()
        self.pages[username] = page
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


def state_of(page: Any) -> str:
    return str(page.locator("h1 .state").inner_text()).strip()


def fact(page: Any, index: int) -> str:
    """The text of the index-th <dd> of the facts list (0: code, ... 5: due date)."""
    return str(page.locator("dl.facts > dd").nth(index).inner_text()).strip()


def rework_rounds(page: Any) -> str:
    return str(page.locator("#rework-rounds").inner_text()).strip()


def open_action(page: Any, trigger: str) -> Any:
    """Open the action's <details> by clicking its summary; returns the form."""
    form = page.locator(f"#form-{trigger}")
    page.locator(f"details.action:has(#form-{trigger}) > summary").click()
    form.wait_for(state="visible")
    return form


def submit(page: Any, trigger: str) -> None:
    with page.expect_navigation():
        page.locator(f"#form-{trigger} button[type=submit]").click()


def assert_diagram(page: Any) -> None:
    """Opening the folded diagram loads mermaid, which draws an <svg> naming the states."""
    if page.locator("details.diagram").count() and not page.eval_on_selector(
            "details.diagram", "d => d.open"):
        assert page.evaluate("typeof window.mermaid") == "undefined"  # not loaded until opened
        page.click("details.diagram > summary")
    svg = page.locator("pre.mermaid svg")
    svg.wait_for(state="attached")
    text = svg.text_content() or ""
    for label in ("已发现", "整改中", "已整改待复查", "已复查", "已销号"):
        assert label in text


def assert_fits_phone(page: Any) -> None:
    """Nothing pushes the page wider than the phone: wide things scroll inside their box."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def timeline_length(page: Any) -> int:
    return int(page.locator("ol.timeline > li").count())


def test_standard_finding_from_raised_to_closed(
        live_server: LiveServer, browser: Any, org: Org, rectify: Rectify, clock: FakeClock,
        png: Callable[[int], bytes], shots: Callable[[Any, str], Path], tmp_path: Path) -> None:
    photo, evidence, evidence2 = (tmp_path / name for name in ("现场.png", "整改.png", "整改2.png"))
    # 1x1 PNGs in visible colours (orange, green, blue: seed is 0xBBGGRR) for the screenshots
    for seed, path in zip((0x3090F0, 0x71A43A, 0xEF8D5B), (photo, evidence, evidence2), strict=True):
        path.write_bytes(png(seed))
    walk = Walk(browser, live_server, org, shots)
    try:
        # --- inspector raises the finding ------------------------------------------------------
        inspector = walk.login("inspector", phone=True)
        assert not inspector.locator("nav.menu").is_visible()  # folded behind the menu button
        inspector.click("button.menu-button")
        inspector.click("nav.menu a[href='/raise']")
        inspector.wait_for_url(re.compile(r"/raise$"))
        inspector.select_option("#lifecycle", "standard")
        pick_unit_by_code(inspector, "#unit", org.group_a.code)
        inspector.fill("#title", TITLE)
        inspector.select_option("#category", label="安全生产")
        inspector.select_option("#severity", label="较重")
        inspector.fill("#description", "二号仓库东侧消防通道堆放纸箱，通道宽度不足。")
        inspector.set_input_files("#evidence", str(photo))
        inspector.locator("#evidence-preview img").wait_for()  # the preview of the photo
        assert_fits_phone(inspector)
        walk.shot(inspector, "inspector-raise-form")
        with inspector.expect_navigation():
            inspector.click("form.raise button[type=submit]")
        assert re.search(r"/findings/\d+$", inspector.url)
        finding_url = inspector.url
        code = fact(inspector, 0)
        assert re.fullmatch(r"2026-\d{4}", code)
        assert code in inspector.locator(".flash").inner_text()
        assert TITLE in inspector.locator("h1").inner_text()
        assert state_of(inspector) == "已发现"
        assert fact(inspector, 2) == "甲集团"
        assert fact(inspector, 3) == "安全生产"
        assert fact(inspector, 4) == "较重"
        assert inspector.locator("ol.timeline img").count() == 1  # the photo, shown in the timeline
        assert_diagram(inspector)
        assert_fits_phone(inspector)
        walk.shot(inspector, "inspector-raised")

        # ... and assigns it (交办) to the unit with a requirement and a deadline
        due = today(clock, rectify) + timedelta(days=14)
        form = open_action(inspector, "assign")
        assert inspector.locator("details.action:has(#form-assign) > summary").inner_text() == "交办"
        inspector.fill("#assign-requirement", "立即清理通道杂物，明确消防责任人，每日巡查。")
        inspector.fill("#assign-due_date", due.isoformat())
        walk.shot(inspector, "inspector-assign-form")
        assert form.is_visible()
        submit(inspector, "assign")
        assert state_of(inspector) == "整改中"
        assert fact(inspector, 5).startswith(f"{due.year}年{due.month}月{due.day}日")
        assert "立即清理通道杂物" in inspector.locator(".card").first.inner_text()
        assert inspector.locator("#form-assign").count() == 0  # done: no longer offered
        walk.shot(inspector, "inspector-assigned")

        # --- handler sees it on My work and reports rectification ------------------------------
        clock.advance(days=3)
        handler = walk.login("handler_a")
        row = handler.locator("table.findings tbody tr", has_text=code)
        assert "整改中" in row.inner_text()
        assert f"{due.year}年{due.month}月{due.day}日" in row.inner_text()
        walk.shot(handler, "handler-my-work")
        with handler.expect_navigation():
            row.locator(f"a:text-is('{code}')").click()
        assert handler.url == finding_url
        open_action(handler, "report_rectification")
        handler.fill("#report_rectification-measures",
                     "已清理全部杂物，指定王某为消防责任人，建立每日巡查台账。")
        handler.set_input_files("#report_rectification-evidence", str(evidence))
        walk.shot(handler, "handler-report-form")
        submit(handler, "report_rectification")
        assert state_of(handler) == "已整改待复查"
        assert handler.locator("#form-report_rectification").count() == 0
        walk.shot(handler, "handler-reported")

        # --- reviewer: follow-up check, then sends it back -------------------------------------
        clock.advance(days=2)
        reviewer = walk.login("reviewer")
        reviewer.goto(finding_url)
        assert state_of(reviewer) == "已整改待复查"
        open_action(reviewer, "revisit")
        reviewer.fill("#revisit-visited_on", today(clock, rectify).isoformat())
        reviewer.select_option("#revisit-method", label="四不两直")
        reviewer.fill("#revisit-observations", "通道已清理，但夜间仍有纸箱堆放，巡查台账未见记录。")
        walk.shot(reviewer, "reviewer-revisit-form")
        submit(reviewer, "revisit")
        assert state_of(reviewer) == "已复查"
        assert "四不两直" in reviewer.locator("ol.timeline").inner_text()

        # one wrong input: a reason too short is refused next to its field, and nothing changes
        events_before = timeline_length(reviewer)
        open_action(reviewer, "reject")
        reviewer.fill("#reject-reason", "不行")
        # the browser refuses it already (minlength); switch that off to prove the server does
        assert reviewer.get_attribute("#reject-reason", "minlength") == "5"
        reviewer.eval_on_selector("#form-reject", "form => { form.noValidate = true; }")
        with reviewer.expect_navigation():
            reviewer.locator("#form-reject button[type=submit]").click()
        field = reviewer.locator(".field:has(#reject-reason)")
        assert "has-error" in (field.get_attribute("class") or "")
        assert field.locator("p.error").inner_text() == "至少 5 个字。"
        assert reviewer.locator("#reject-reason").input_value() == "不行"  # what was typed is kept
        assert reviewer.locator("details.action:has(#form-reject)").get_attribute("open") is not None
        assert state_of(reviewer) == "已复查"
        assert rework_rounds(reviewer) == "0"
        assert timeline_length(reviewer) == events_before
        walk.shot(reviewer, "reviewer-reject-error")

        reviewer.fill("#reject-reason", "夜间复查仍有杂物堆放，巡查制度未落实，请重新整改。")
        submit(reviewer, "reject")
        assert state_of(reviewer) == "整改中"
        assert rework_rounds(reviewer) == "1"  # rework round 1
        assert "整改不到位，退回" in reviewer.locator("ol.timeline").inner_text()
        walk.shot(reviewer, "reviewer-rejected")

        # --- handler reports again --------------------------------------------------------------
        clock.advance(days=2)
        handler.goto(f"{live_server.url}/work")
        row = handler.locator("table.findings tbody tr", has_text=code)
        assert "整改中" in row.inner_text()
        with handler.expect_navigation():
            row.locator(f"a:text-is('{code}')").click()
        assert rework_rounds(handler) == "1"
        open_action(handler, "report_rectification")
        handler.fill("#report_rectification-measures", "增设夜间巡查，纸箱改存二号库房，台账每日签字。")
        handler.set_input_files("#report_rectification-evidence", str(evidence2))
        submit(handler, "report_rectification")
        assert state_of(handler) == "已整改待复查"
        walk.shot(handler, "handler-reported-again")

        # --- reviewer: follow-up check again, and confirms: crossed off the ledger -------------
        clock.advance(days=1)
        reviewer.goto(finding_url)
        open_action(reviewer, "revisit")
        reviewer.fill("#revisit-visited_on", today(clock, rectify).isoformat())
        reviewer.select_option("#revisit-method", label="现场复查")
        reviewer.fill("#revisit-observations", "通道畅通，夜间巡查记录完整。")
        submit(reviewer, "revisit")
        assert state_of(reviewer) == "已复查"
        open_action(reviewer, "confirm")
        assert (reviewer.locator("details.action:has(#form-confirm) > summary").inner_text()
                == "确认整改到位并销号")
        reviewer.fill("#confirm-conclusion", "整改到位，同意销号。")
        submit(reviewer, "confirm")
        assert state_of(reviewer) == "已销号"
        assert rework_rounds(reviewer) == "1"
        # closed: nothing is left until the look-back (回头看, standard v2) falls due; its day
        # is shown
        actions = reviewer.locator("details.action > summary").all_inner_texts()
        assert actions == []
        assert reviewer.locator("#lookback-due").count() == 1
        timeline = reviewer.locator("ol.timeline").inner_text()
        for label in ("交办", "报送整改情况", "回头看复查", "整改不到位，退回", "确认整改到位并销号"):
            assert label in timeline
        assert reviewer.locator("ol.timeline img").count() == 3  # photo + two rounds of evidence
        assert_diagram(reviewer)
        walk.shot(reviewer, "reviewer-closed")

        # --- supervisor: dashboard and ledger ---------------------------------------------------
        supervisor = walk.login("supervisor")
        supervisor.click("nav.menu a[href='/dashboard']")
        supervisor.wait_for_url(re.compile(r"/dashboard$"))
        assert supervisor.locator("#kpi-total").inner_text() == "1"
        assert supervisor.locator("#kpi-overdue").inner_text() == "0"
        kpis = supervisor.locator("#problem-numbers .kpi b")
        assert [kpis.nth(i).inner_text() for i in range(4)] == ["1", "0", "1", "1"]  # raised,
        # open, rectified, confirmed
        # the breakdown descends while everything sits below one unit: down to group A itself
        unit_row = supervisor.locator("table.numbers tbody tr", has_text="甲集团")
        assert [c.strip() for c in unit_row.locator("td").all_inner_texts()][1:4] == ["1", "0", "1"]
        state_row = supervisor.locator("table.numbers tbody tr", has_text="已销号")
        assert state_row.locator("td").last.inner_text() == "1"
        supervisor.wait_for_function(  # the bars have finished growing (for the screenshot)
            "() => { const c = window.Chart && Chart.getChart('unit-chart');"
            " return !!c && !Chart.animator.running(c); }")
        walk.shot(supervisor, "supervisor-dashboard")

        supervisor.click("nav.menu a[href='/ledger']")
        supervisor.wait_for_url(re.compile(r"/ledger"))
        row = supervisor.locator("table.findings tbody tr", has_text=code)
        assert TITLE in row.inner_text()
        assert "已销号" in row.inner_text()
        assert "甲集团" in row.inner_text()
        assert row.locator("td.num").inner_text().strip() == "1"
        walk.shot(supervisor, "supervisor-ledger")

        # --- admin: the people and the unit tree ----------------------------------------------
        admin = walk.login("admin")
        admin.goto(f"{walk.url}/admin/users")
        users = admin.locator("table.plain tbody").inner_text()
        for name in ("inspector", "handler_a", "reviewer", "supervisor"):
            assert name in users
        assert "检查人员" in users and "责任单位联络员" in users  # role labels, in Chinese
        admin.click("a[href='/admin/units']")
        admin.wait_for_url(re.compile(r"/admin/units$"))
        assert "纪委监委" in admin.locator("ul.tree").inner_text()  # the top of the tree
        walk.shot(admin, "admin-units")
    finally:
        walk.close()
