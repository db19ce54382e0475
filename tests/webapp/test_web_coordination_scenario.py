"""Issue 8 end to end, through the API and the pages as each role, on SQLite and PostgreSQL: a
plant's finding escalated to the top body (the provincial commission), accepted only by it, four
numbered reminder letters to four departments each replied once, one child finding per
department rectified and confirmed, a mention in the discussion, coordination completed by the
lead, the parent closed only after its children, its documents, and `verify` finding nothing."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from document_support import read_docx
from document_support import text_of as docx_text
from web_support import assert_error, text_of, ui

from workflow.services import verify_all
from workflow.services.accounts import create_user
from workflow.services.units import create_unit

pytestmark = pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])

PASSWORD = "correct-horse-battery"
PREFIX = "苏纪提"
# code, name, handler's username, letter subject, reply
DEPARTMENTS = (
    ("DEPT-GXT", "工业和信息化厅", "gxt_handler", "关于保障面料供应的提醒函", "已协调两家面料企业按日供货。"),
    ("DEPT-RST", "人力资源和社会保障厅", "rst_handler", "关于协助招用工人的提醒函", "已举办两场专场招聘会。"),
    ("DEPT-SCJG", "市场监督管理局", "scjg_handler", "关于加快产品检验的提醒函", "已开通许可变更绿色通道。"),
    ("DEPT-YJT", "应急管理厅", "yjt_handler", "关于指导安全生产排查的提醒函", "已派工作组驻厂指导排查。"),
)


@pytest.fixture
def scene(rectify: Any, org: Any) -> SimpleNamespace:
    """The org's top unit as the provincial commission (its inspector and reviewer), a
    supervisor of another body (the inspection body), four departments and their handlers."""
    with rectify.unit_of_work() as uow:
        departments = [create_unit(uow.session, code, name, code, "department", org.commission)
                       for code, name, *_ in DEPARTMENTS]
        people = [("prov_inspector", "省纪委检查员", ["inspector"], org.commission),
                  ("prov_reviewer", "省纪委复查员", ["reviewer"], org.commission),
                  ("ib_supervisor", "监督组监督员", ["supervisor"], org.inspection_body)]
        people += [(handler, f"{name}联络人", ["handler"], unit)
                   for (_, name, handler, *_), unit in zip(DEPARTMENTS, departments, strict=True)]
        users = {name: create_user(uow.session, name, display, PASSWORD, roles, unit)
                 for name, display, roles, unit in people}
        uow.commit()
    org.users.update(users)
    return SimpleNamespace(departments=departments,
                           handlers=[users[d[2]] for d in DEPARTMENTS], **users)


def fire(api: Any, finding: dict[str, Any], trigger: str, who: Any,
         payload: dict[str, Any], status: int = 200) -> dict[str, Any]:
    """POST the transition at the finding's version; the answer (the finding, or the error)."""
    response = api.post(f"/api/v1/findings/{finding['id']}/transitions/{trigger}", who,
                        json={"version": finding["version"], "payload": payload})
    if status != 200:
        return assert_error(response, status)
    assert response.status_code == 200, (trigger, text_of(response))
    return dict(response.get_json())


def get(api: Any, finding_id: int, who: Any) -> dict[str, Any]:
    response = api.get(f"/api/v1/findings/{finding_id}", who)
    assert response.status_code == 200, text_of(response)
    return dict(response.get_json())


def offered(finding: dict[str, Any]) -> list[str]:
    return [t["trigger"] for t in finding["transitions"]]


def evidence(api: Any, who: Any, png: Any, seed: int) -> list[str]:
    response = api.upload(who, png(seed), "evidence.png")
    assert response.status_code == 201, text_of(response)
    return [response.get_json()["sha256"]]


def _raise_and_escalate(api: Any, org: Any, scene: Any, registry: Any) -> dict[str, Any]:
    """The commission's inspector raises on the plant (group_a) and assigns; the plant's
    handler acknowledges and escalates it to the commission."""
    raised = api.post("/api/v1/findings", scene.prov_inspector, json={
        "lifecycle": "escalation", "title": "防护服生产企业用工紧缺，工人连续加班",
        "category": "work_safety", "severity": "high", "unit": org.group_a.id})
    assert raised.status_code == 201, text_of(raised)
    finding = raised.get_json()
    assert (finding["lifecycle_version"], finding["state"]) == (
        registry.get("escalation").version, "raised")
    assert finding["lifecycle_version"] == 3
    finding = fire(api, finding, "assign", scene.prov_inspector,
                   {"requirement": "合理安排班次，消除超时作业的安全隐患。"})
    assert finding["state"] == "assigned"
    finding = fire(api, finding, "acknowledge", org.handler_a, {"comment": "已签收"})
    finding = fire(api, finding, "escalate", org.handler_a, {
        "obstacle": "企业无法在短期内自行招到足够熟练工人。", "help_needed": "请求协调四个部门支持。",
        "to_body": org.commission.id})
    assert finding["state"] == "escalated"
    assert [(p["role"], p["unit"]["id"]) for p in get(api, finding["id"], org.supervisor)
            ["parties"]] == [("addressee", org.commission.id)]
    return finding


def _accept(api: Any, org: Any, scene: Any, finding: dict[str, Any]) -> dict[str, Any]:
    """Another body's supervisor is refused (and not offered); the addressed body accepts."""
    assert "accept_escalation" not in offered(get(api, finding["id"], scene.ib_supervisor))
    refused = fire(api, finding, "accept_escalation", scene.ib_supervisor,
                   {"plan": "由监督组协调"}, status=403)
    assert refused["message"] == "此操作只能由该问题上报的受理机构办理。", refused
    assert get(api, finding["id"], org.supervisor)["version"] == finding["version"]
    assert "accept_escalation" in offered(get(api, finding["id"], org.supervisor))
    finding = fire(api, finding, "accept_escalation", org.supervisor,
                   {"plan": "向四个部门发送提醒函，按部门分解任务。"})
    assert finding["state"] == "coordinating"
    parties = get(api, finding["id"], org.supervisor)["parties"]
    assert sorted((p["role"], p["unit"]["id"]) for p in parties) == [
        ("addressee", org.commission.id), ("lead", org.commission.id)]
    return finding


def _send_letters(api: Any, org: Any, scene: Any, finding: dict[str, Any]) -> list[dict]:
    """Four letters from the finding, numbered consecutively with the commission's prefix."""
    patched = api.patch(f"/api/v1/units/{org.commission.id}", org.admin,
                        json={"doc_prefix": PREFIX})
    assert patched.status_code == 200, text_of(patched)
    letters = []
    for (_, _, _, subject, _), unit in zip(DEPARTMENTS, scene.departments, strict=True):
        response = api.post("/api/v1/letters", org.supervisor, json={
            "subject": subject, "text": "请于期限内书面回复落实情况。", "addressees": [unit.id],
            "finding": finding["id"]})
        assert response.status_code == 201, text_of(response)
        letters.append(response.get_json())
    assert [x["number"] for x in letters] == [f"{PREFIX}〔2026〕{n}号" for n in (1, 2, 3, 4)]
    assert {x["body"]["id"] for x in letters} == {org.commission.id}
    assert {x["state"] for x in letters} == {"pending"}
    return letters


def _reply_to_letters(api: Any, browser: Any, scene: Any, letters: list[dict]) -> None:
    """Each department sees its own letter only and replies once; a second reply is refused."""
    for n, (handler, letter) in enumerate(zip(scene.handlers, letters, strict=True)):
        mine = api.get("/api/v1/letters", handler).get_json()
        assert [x["id"] for x in mine["items"]] == [letter["id"]] and mine["total"] == 1
        others = [x for x in letters if x["id"] != letter["id"]]
        for other in others:
            assert_error(api.get(f"/api/v1/letters/{other['id']}", handler), 404)
        page = text_of(browser(handler.username).get("/letters"))
        assert letter["subject"] in page
        assert not any(x["subject"] in page for x in others)
        url = f"/api/v1/letters/{letter['id']}/replies"
        replied = api.post(url, handler, json={"text": DEPARTMENTS[n][4]})
        assert replied.status_code == 201, text_of(replied)
        assert replied.get_json()["replied"] is True
        assert_error(api.post(url, handler, json={"text": "再次回复"}), 403)
        shown = api.get(f"/api/v1/letters/{letter['id']}", handler).get_json()
        assert [a["reply_text"] for a in shown["addressees"]] == [DEPARTMENTS[n][4]]


def _split(api: Any, org: Any, scene: Any, finding: dict[str, Any],
           newest: int) -> tuple[dict, list[dict]]:
    """One child per department, assigned at once; the same unit twice is refused."""
    finding = get(api, finding["id"], org.supervisor)  # the letters' events moved its version
    for (code, *_), unit in zip(DEPARTMENTS, scene.departments, strict=True):
        finding = fire(api, finding, "split_off", org.supervisor,
                       {"unit": unit.id, "requirement": f"{code}：落实本部门负责的部分。"})
        assert finding["state"] == "coordinating"
    again = fire(api, finding, "split_off", org.supervisor,
                 {"unit": scene.departments[0].id, "requirement": "再来一次"}, status=422)
    assert "已有本问题的子问题" in str(again)
    seen = get(api, finding["id"], org.supervisor)
    assert (seen["children"]["total"], seen["children"]["closed"]) == (4, 0)
    children = sorted(seen["children"]["items"], key=lambda c: c["id"])
    assert [c["unit"] for c in children] == [d[1] for d in DEPARTMENTS]
    assert {c["is_open"] for c in children} == {True}
    for child in children:  # raised and assigned at once, on the newest standard lifecycle
        full = get(api, child["id"], org.supervisor)
        assert (full["state"], full["lifecycle"], full["lifecycle_version"],
                full["parent"]["id"]) == ("assigned", "standard", newest, finding["id"])
    return seen, children


def _department_sees_only_its_child(api: Any, browser: Any, org: Any, scene: Any,
                                    parent: dict, children: list[dict], other: dict) -> None:
    handler, child = scene.handlers[0], children[0]
    work = text_of(browser(handler.username).get("/work"))
    assert child["code"] in work
    assert not any(c["code"] in work for c in children[1:]) and parent["code"] not in work
    listed = api.get("/api/v1/findings?limit=500", handler).get_json()["items"]
    assert [f["id"] for f in listed] == [child["id"]]
    for hidden in (other, parent):
        assert_error(api.get(f"/api/v1/findings/{hidden['id']}", handler), 404)
        assert browser(handler.username).get(f"/findings/{hidden['id']}").status_code == 404
    own = get(api, child["id"], handler)
    assert own["parent"] is None and own["links"]["hidden"] == 1
    assert offered(own) and "acknowledge" in offered(own)


def _close_child(api: Any, org: Any, scene: Any, child: dict, n: int, png: Any,
                 today: Any) -> None:
    handler = scene.handlers[n]
    current = get(api, child["id"], handler)
    current = fire(api, current, "acknowledge", handler, {"comment": "已签收"})
    current = fire(api, current, "report_rectification", handler, {
        "measures": f"{DEPARTMENTS[n][4]}任务已落实。", "evidence": evidence(api, handler, png, n)})
    assert current["state"] == "rectified"
    current = fire(api, current, "revisit", scene.prov_reviewer, {
        "visited_on": today.isoformat(), "method": "online",
        "observations": "调阅台账和现场记录，配合任务已落实。"})
    current = fire(api, current, "confirm", org.supervisor, {"conclusion": "同意销号。"})
    assert current["state"] == "closed"


def test_the_coordination_scenario_end_to_end(api, browser, app, org, scene, registry, png,
                                              driver, rectify):
    other = api.post("/api/v1/findings", scene.prov_inspector, json={
        "lifecycle": "standard", "title": "车间消防通道堆放杂物", "category": "work_safety",
        "severity": "medium", "unit": org.group_a.id}).get_json()
    finding = _raise_and_escalate(api, org, scene, registry)
    finding = _accept(api, org, scene, finding)
    letters = _send_letters(api, org, scene, finding)
    _reply_to_letters(api, browser, scene, letters)
    finding, children = _split(api, org, scene, finding, registry.get("standard").version)
    _department_sees_only_its_child(api, browser, org, scene, finding, children, other)
    today = driver.today()
    for n, child in enumerate(children[:3]):
        _close_child(api, org, scene, child, n, png, today)

    # The discussion: a mention of the plant's handler rings their bell.
    comment = api.post(f"/api/v1/findings/{finding['id']}/comments", org.supervisor, json={
        "text": "四个部门均已书面回复。@handler_a 请按新招工人情况调整为三班倒。"})
    assert comment.status_code == 201, text_of(comment)
    assert comment.get_json()["mentions"] == ["handler_a"]
    bell = api.get("/api/v1/notifications", org.handler_a).get_json()["items"]
    assert [n["kind"] for n in bell if n["kind"] == "mention"] == ["mention"]
    assert bell[0]["url"] == f"/findings/{finding['id']}#comment-{comment.get_json()['seq']}"

    # The lead completes the coordination (another body may not); the plant reports.
    finding = get(api, finding["id"], org.supervisor)
    due = (today + timedelta(days=10)).isoformat()
    done = {"outcome": "四部门协同推动招工，企业实行三班倒。",
            "due_date": due}
    fire(api, finding, "complete_coordination", scene.ib_supervisor, done, status=403)
    finding = fire(api, finding, "complete_coordination", org.supervisor, done)
    assert (finding["state"], finding["due_date"]) == ("assigned", due)
    finding = fire(api, finding, "report_rectification", org.handler_a, {
        "measures": "新招工人完成岗前培训，实行三班倒。",
        "evidence": evidence(api, org.handler_a, png, 99)})
    assert finding["state"] == "rectified"

    # One child still open: confirm is not offered and is refused, naming the child.
    seen = get(api, finding["id"], scene.prov_reviewer)
    assert "confirm" not in offered(seen) and "reject" in offered(seen)
    refused = fire(api, finding, "confirm", scene.prov_reviewer, {"conclusion": "销号"},
                   status=422)
    assert refused["message"] == (f"还有 1 个子问题未办结（{children[3]['code']}），"
                                  "全部办结后才能办结本问题。")
    assert get(api, finding["id"], org.supervisor)["state"] == "rectified"
    _close_child(api, org, scene, children[3], 3, png, today)
    assert "confirm" in offered(get(api, finding["id"], scene.prov_reviewer))
    finding = fire(api, finding, "confirm", scene.prov_reviewer,
                   {"conclusion": "四个子问题均已销号，同意销号。"})
    assert finding["state"] == "closed"

    _the_record(api, browser, app, org, scene, finding, children, letters, rectify)


def _the_record(api, browser, app, org, scene, finding, children, letters, rectify) -> None:
    """The closed parent as the API, the page, its documents and `verify` show it."""
    final = get(api, finding["id"], org.supervisor)
    assert sorted((p["role"], p["unit"]["id"]) for p in final["parties"]) == [
        ("addressee", org.commission.id), ("lead", org.commission.id)]
    assert (final["children"]["total"], final["children"]["closed"]) == (4, 4)
    assert {c["is_open"] for c in final["children"]["items"]} == {False}
    replied = api.get(f"/api/v1/letters?finding={finding['id']}&state=replied",
                      org.supervisor).get_json()
    assert replied["total"] == 4
    assert sorted(x["id"] for x in replied["items"]) == sorted(x["id"] for x in letters)
    assert api.get(f"/api/v1/letters?finding={finding['id']}&state=pending",
                   org.supervisor).get_json()["total"] == 0
    triggers = [e["trigger"] for e in api.get(f"/api/v1/findings/{finding['id']}/events",
                                              org.supervisor).get_json()]
    assert (triggers.count("letter"), triggers.count("letter_reply")) == (4, 4)
    assert (triggers.count("split_off"), triggers.count("comment")) == (4, 1)

    page = text_of(browser("supervisor").get(f"/findings/{finding['id']}"))
    assert all(x["subject"] in page and x["number"] in page for x in letters)
    assert all(c["code"] in page for c in children)
    assert ui(app, "%(n)s of %(m)s closed", n=4, m=4) in page
    assert "请按新招工人情况调整为三班倒" in page and 'id="comment-' in page

    client = browser("supervisor")
    for kind in ("notice", "closure"):
        response = client.get(f"/findings/{finding['id']}/documents/{kind}.docx")
        assert response.status_code == 200, kind
        assert finding["code"] in docx_text(read_docx(response.data)), kind
    with rectify.unit_of_work(write=False) as uow:
        assert [(f.code, problems) for f, problems in verify_all(uow.session)] == []
