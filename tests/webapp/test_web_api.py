"""The JSON API: findings (raise, ledger with filters and cursors, detail with the caller's
transitions, firing with versions, events), attachments, tokens, the directory (units, users,
campaigns, inspections), lifecycles, dashboard numbers; one error format everywhere."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from web_support import assert_error, login

from workflow.chain import GENESIS
from workflow.services.accounts import create_user
from workflow.services.user_search import PAGE_SIZE

STANDARD = {"title": "Fire exit blocked by boxes", "category": "work_safety", "severity": "medium"}


# --- raising ---------------------------------------------------------------------------------


def test_raise_a_finding(api, driver, org):
    response = api.post("/api/v1/findings", org.inspector,
                        json={**STANDARD, "unit": org.sub_a1.id, "description": "Stairwell B"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["code"] == "2026-0001" and body["state"] == "raised"
    assert body["state_label"] == "已发现" and body["lifecycle"] == "standard"
    assert body["unit"] == {"id": org.sub_a1.id, "code": "GA-1", "name": "甲一公司"}
    assert (body["version"], body["is_open"], body["overdue"]) == (1, True, False)
    assert driver.finding(body["id"])["description"] == "Stairwell B"


def test_raising_needs_a_raise_role(api, org, flow):
    body = assert_error(api.post("/api/v1/findings", org.handler_a,
                                 json={**STANDARD, "unit": org.group_a.id}), 403)
    assert "errors" not in body
    # supervisors may raise suggestions but not standard findings
    assert api.post("/api/v1/findings", org.supervisor, json={
        **STANDARD, "lifecycle": "suggestion", "unit": org.group_a.id}).status_code == 201
    assert_error(api.post("/api/v1/findings", org.supervisor,
                          json={**STANDARD, "unit": org.group_a.id}), 403)


def test_raising_with_bad_fields_names_each_one(api, org):
    body = assert_error(api.post("/api/v1/findings", org.inspector, json={
        "title": "abc", "category": "gossip", "severity": "medium", "unit": 999,
        "due_date": "2020-01-01"}), 422)
    assert set(body["errors"]) == {"title", "category", "unit", "due_date"}
    body = assert_error(api.post("/api/v1/findings", org.inspector, json={
        **STANDARD, "lifecycle": "nonsense", "unit": org.group_a.id}), 422)
    assert set(body["errors"]) == {"lifecycle"}


def test_request_body_validation_errors_use_the_same_format(api, org):
    body = assert_error(api.post("/api/v1/findings", org.inspector,
                                 json={"title": 12, "severity": "medium"}), 422)
    assert set(body["errors"]) == {"title", "category", "unit"}
    body = assert_error(api.get("/api/v1/findings?limit=0&severity=awful", org.inspector), 422)
    assert set(body["errors"]) == {"limit", "severity"}
    body = assert_error(api.post("/api/v1/findings/1/transitions/assign", org.inspector,
                                 json={"payload": "not an object"}), 422)
    assert set(body["errors"]) == {"payload"}


# --- the ledger: filters and cursors ---------------------------------------------------------


@pytest.fixture
def ledger(driver, org, clock):
    """Nine findings, each a minute apart: at group_a, sub_a1 and group_b, mixed kinds."""
    made = {}
    for n in range(9):
        unit = (org.group_a, org.sub_a1, org.group_b)[n % 3]
        lifecycle = "immediate" if n == 4 else "standard"
        made[n] = driver.raise_(lifecycle, title=f"Problem number {n}", unit=unit.id,
                                severity="high" if n % 2 else "low")
        clock.advance(minutes=1)
    driver.drive(made[0]["id"], "assign")
    driver.drive(made[3]["id"], "assign")
    driver.drive(made[6]["id"], "withdraw")
    return made


def _all_pages(api, user, query: str, limit: int) -> tuple[list[int], int]:
    ids, pages, cursor = [], 0, None
    while True:
        url = f"/api/v1/findings?limit={limit}{query}" + (f"&cursor={cursor}" if cursor else "")
        response = api.get(url, user)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        assert len(body["items"]) <= limit
        ids += [item["id"] for item in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return ids, pages
        assert pages < 20, "the cursor never ends"


@pytest.mark.parametrize("sort", ["-created", "due"])
def test_following_next_cursor_yields_every_item_once(api, org, ledger, sort):
    everything = sorted(f["id"] for f in ledger.values())
    ids, pages = _all_pages(api, org.inspector, f"&sort={sort}", limit=2)
    assert sorted(ids) == everything and len(ids) == len(set(ids))
    assert pages == 5
    if sort == "-created":
        assert ids == sorted(everything, reverse=True)  # newest first
    else:  # soonest due first: the immediate one (due the day it is raised, immediate v2),
        # then the two assigned (due in 14 days), then the undated
        assert ids[0] == ledger[4]["id"]
        assert set(ids[1:3]) == {ledger[0]["id"], ledger[3]["id"]}
    # a handler pages through their own subtree only
    handler_ids, _pages = _all_pages(api, org.handler_a, f"&sort={sort}", limit=2)
    assert sorted(handler_ids) == sorted(ledger[n]["id"] for n in (0, 1, 3, 4, 6, 7))


def test_the_cursor_is_opaque_and_checked(api, org, ledger):
    first = api.get("/api/v1/findings?limit=2", org.inspector).get_json()
    assert isinstance(first["next_cursor"], str) and "2026" not in first["next_cursor"]
    body = assert_error(api.get("/api/v1/findings?cursor=not-a-cursor", org.inspector), 422)
    assert set(body["errors"]) == {"cursor"}


LEDGER_FILTERS = [  # query -> the ledger fixture's findings (by number) it must list
    ("&severity=high", {1, 3, 5, 7}),
    ("&state=assigned", {0, 3}),
    ("&state=assigned&state=withdrawn", {0, 3, 6}),
    ("&lifecycle=immediate", {4}),
    ("&open=false", {6}),
    ("&q=number 5", {5}),
    ("&overdue=true", set()),
    ("&overdue=false", set(range(9))),
    ("&severity=high&state=assigned", {3}),
]


def test_ledger_filters(api, org, ledger):
    wrong = {}
    for query, expected in LEDGER_FILTERS:
        ids, _pages = _all_pages(api, org.inspector, query, limit=50)
        if sorted(ids) != sorted(ledger[n]["id"] for n in expected):
            wrong[query] = ids
    assert not wrong
    # the unit filter takes the unit's subtree
    ids, _pages = _all_pages(api, org.inspector, f"&unit={org.group_a.id}", limit=50)
    assert sorted(ids) == sorted(ledger[n]["id"] for n in (0, 1, 3, 4, 6, 7))
    ids, _pages = _all_pages(api, org.inspector, f"&unit={org.sub_a1.id}", limit=50)
    assert sorted(ids) == sorted(ledger[n]["id"] for n in (1, 4, 7))


# --- one finding and what the caller may do --------------------------------------------------


def test_detail_lists_the_transitions_the_caller_may_fire_with_their_fields(api, driver, org):
    finding = driver.raise_("standard")
    today = driver.today()
    detail = api.get(f"/api/v1/findings/{finding['id']}", org.inspector).get_json()
    assert [t["trigger"] for t in detail["transitions"]] == ["assign", "reassign", "withdraw",
                                                             "split_off"]
    assign = detail["transitions"][0]
    assert (assign["label"], assign["dest"], assign["roles"]) == (
        "交办", "assigned", ["inspector", "supervisor"])
    fields = {f["name"]: f for f in assign["fields"]}
    assert set(fields) == {"requirement", "due_date"}
    assert fields["requirement"]["type"] == "text" and fields["requirement"]["required"] is True
    assert fields["requirement"]["max_length"] == 2000
    assert fields["due_date"]["type"] == "date"
    assert fields["due_date"]["min_date"] == today.isoformat()
    assert fields["due_date"]["max_date"] == (today + timedelta(days=366)).isoformat()
    reassign = detail["transitions"][1]
    assert reassign["dest"] == "raised"  # "=": stays where it is
    assert [f["type"] for f in reassign["fields"]] == ["unit", "text"]

    handler = api.get(f"/api/v1/findings/{finding['id']}", org.handler_a).get_json()
    assert handler["transitions"] == [] and handler["title"] == finding["title"]

    revisit = driver.bring_to("standard", "rectified")
    detail = api.get(f"/api/v1/findings/{revisit['id']}", org.reviewer).get_json()
    fields = {f["name"]: f for f in detail["transitions"][0]["fields"]}
    assert [c["value"] for c in fields["method"]["choices"]] == ["onsite", "unannounced", "online"]
    assert fields["photos"]["type"] == "files" and fields["photos"]["max_count"] == 10
    assert fields["visited_on"]["min_date"] == (today - timedelta(days=30)).isoformat()


def test_detail_labels_follow_the_users_language(api, driver, org):
    finding = driver.raise_("standard")
    assert api.patch(f"/api/v1/users/{org.inspector.id}", org.admin,
                     json={"language": "en"}).status_code == 200
    detail = api.get(f"/api/v1/findings/{finding['id']}", org.inspector).get_json()
    assert detail["state_label"] == "Raised" and detail["unit"]["name"] == "Group A"
    assert detail["transitions"][0]["label"] == "Assign"


def test_fire_with_if_match_and_with_version_in_the_body(api, driver, org):
    finding = driver.raise_("standard")
    due = (driver.today() + timedelta(days=7)).isoformat()
    response = api.post(f"/api/v1/findings/{finding['id']}/transitions/assign", org.inspector,
                        headers={"If-Match": '"1"'},
                        json={"payload": {"requirement": "Clear it", "due_date": due}})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["state"], body["version"], body["due_date"], body["requirement"]) == (
        "assigned", 2, due, "Clear it")
    response = driver.fire(finding["id"], "request_extension", org.handler_a, version=2,
                           use_if_match=False)
    assert response.status_code == 200
    assert (response.get_json()["state"], response.get_json()["version"]) == (
        "extension_requested", 3)


def test_the_second_caller_with_the_old_version_gets_409(api, driver, org, flow):
    finding = driver.bring_to("standard", "revisited")
    first = driver.fire(finding["id"], "confirm", org.reviewer, version=finding["version"])
    assert first.status_code == 200 and first.get_json()["state"] == "closed"
    before = flow.snapshot(finding["id"])
    second = driver.fire(finding["id"], "reject", org.supervisor, version=finding["version"],
                         payload={"reason": "Boxes are back"}, current=finding)
    assert_error(second, 409)
    third = driver.fire(finding["id"], "reject", org.supervisor, version=finding["version"],
                        payload={"reason": "Boxes are back"}, use_if_match=False,
                        current=finding)
    assert_error(third, 409)
    assert flow.snapshot(finding["id"]) == before


def test_a_malformed_if_match_is_a_400(api, driver, org):
    finding = driver.raise_("standard")
    response = api.post(f"/api/v1/findings/{finding['id']}/transitions/withdraw", org.inspector,
                        headers={"If-Match": "yesterday"}, json={"payload": {"reason": "Oops!!"}})
    assert_error(response, 400)
    assert driver.finding(finding["id"])["state"] == "raised"


def test_fire_refusals(api, driver, org, flow):
    finding = driver.bring_to("standard", "assigned")
    url = f"/api/v1/findings/{finding['id']}/transitions"
    seen = {"If-Match": f'"{finding["version"]}"'}
    before = flow.snapshot(finding["id"])

    def post(trigger, user, payload, url=url):
        return api.post(f"{url}/{trigger}", user, json={"payload": payload}, headers=seen)

    # out of scope: the same answer as for a finding that does not exist
    assert_error(post("report_rectification", org.handler_b, {}), 404)
    assert_error(post("assign", org.admin, {}, url="/api/v1/findings/9999/transitions"), 404)
    # a role that may not fire it
    body = assert_error(post("report_rectification", org.inspector,
                             {"measures": "Done it all", "evidence": []}), 403)
    assert "errors" not in body
    # per-field errors, each field named
    body = assert_error(post("request_extension", org.handler_a, {
        "requested_due_date": "someday", "reason": "x", "colour": "red"}), 422)
    assert set(body["errors"]) == {"requested_due_date", "reason", "colour"}
    # a guard: the new date must be later than the current due date
    body = assert_error(post("request_extension", org.handler_a, {
        "requested_due_date": finding["due_date"], "reason": "Parts on order"}), 422)
    assert finding["due_date"] in body["message"]
    # a trigger not possible from this state: 409 with what the caller may do now
    body = assert_error(post("confirm", org.reviewer, {}), 409)
    assert body["allowed"] == []
    body = assert_error(post("assign", org.inspector, {}), 409)  # v2: urging is the raiser's
    assert body["allowed"] == ["urge", "add_co_responsible", "reassign", "withdraw", "split_off"]
    body = assert_error(post("no_such_trigger", org.supervisor, {}), 409)
    assert body["allowed"] == ["urge", "add_co_responsible", "reassign", "withdraw", "waive",
                               "split_off"]
    # without the version the caller saw: refused before anything is looked at
    body = assert_error(api.post(f"{url}/request_extension", org.handler_a, json={"payload": {
        "requested_due_date": "2026-12-31", "reason": "Parts on order"}}), 428)
    assert flow.snapshot(finding["id"]) == before


def test_a_body_never_acts_on_findings_against_itself(api, driver, org, flow):
    """Inspecting-side transitions are for a body above the finding's unit: an inspector or
    reviewer of the inspection body can't raise, check or close findings against that body."""
    top = api.post("/api/v1/users", org.admin, json={
        "username": "inspector_comm", "display_name": "Commission inspector",
        "password": "long-enough-pw", "roles": ["inspector", "reviewer"],
        "unit_id": org.commission.id}).get_json()
    assert_error(api.post("/api/v1/findings", org.inspector, json={
        **STANDARD, "unit": org.inspection_body.id}), 422)
    finding = driver.raise_("standard", by=api.user_by_id(top["id"]), unit=org.inspection_body.id)
    detail = api.get(f"/api/v1/findings/{finding['id']}", org.inspector).get_json()
    assert detail["transitions"] == []  # scope holds, but nothing to do on its own finding
    before = flow.snapshot(finding["id"])
    body = assert_error(driver.fire(finding["id"], "assign", org.inspector, current=finding), 403)
    assert "errors" not in body
    assert flow.snapshot(finding["id"]) == before
    assert driver.fire(finding["id"], "assign", org.supervisor, current=finding).status_code == 200


def test_nobody_both_does_the_work_and_checks_it(api, driver, org, flow):
    """A handler-and-reviewer at the raising body may check (the inspecting side) but never
    report the rectification (the unit's side): the two sides never meet in one person."""
    both = api.post("/api/v1/users", org.admin, json={
        "username": "handler_reviewer_ib", "display_name": "Both hats",
        "password": "long-enough-pw", "roles": ["handler", "reviewer"],
        "unit_id": org.inspection_body.id}).get_json()
    both = api.user_by_id(both["id"])
    finding = driver.bring_to("standard", "assigned")
    before = flow.snapshot(finding["id"])
    assert_error(driver.fire(finding["id"], "report_rectification", both), 403)
    assert flow.snapshot(finding["id"]) == before
    assert driver.fire(finding["id"], "report_rectification", org.handler_a).status_code == 200
    assert driver.fire(finding["id"], "revisit", both).status_code == 200
    assert driver.fire(finding["id"], "confirm", both).status_code == 200


def test_events_are_the_findings_hash_chained_history(api, driver, org):
    finding = driver.bring_to("standard", "rectified")
    events = api.get(f"/api/v1/findings/{finding['id']}/events", org.handler_a).get_json()
    assert [(e["seq"], e["trigger"], e["from_state"], e["to_state"], e["actor"]["username"])
            for e in events] == [
        (1, "raise", None, "raised", "inspector"),
        (2, "assign", "raised", "assigned", "inspector"),
        (3, "report_rectification", "assigned", "rectified", "handler_a")]
    assert events[0]["prev_hash"] == GENESIS
    assert [e["prev_hash"] for e in events[1:]] == [e["hash"] for e in events[:-1]]
    assert events[2]["payload"]["measures"] and len(events[2]["payload"]["evidence"]) == 1
    assert_error(api.get(f"/api/v1/findings/{finding['id']}/events", org.handler_b), 404)


# --- attachments -------------------------------------------------------------------------------


def test_upload_then_download_in_scope(api, driver, org, png, rectify):
    data = png(42)
    response = api.upload(org.handler_a, data, "after the fix.png")
    assert response.status_code == 201
    body = response.get_json()
    digest = hashlib.sha256(data).hexdigest()
    assert body == {"sha256": digest, "size": len(data), "media_type": "image/png",
                    "original_name": "after the fix.png", "url": f"/api/v1/attachments/{digest}"}
    download = api.get(body["url"], org.handler_a)
    assert download.status_code == 200 and download.data == data
    assert download.mimetype == "image/png"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Disposition"].startswith("inline;")
    # nobody else may read it until it is evidence on a finding they can see
    assert_error(api.get(body["url"], org.reviewer), 404)
    finding = driver.bring_to("standard", "assigned")
    assert driver.fire(finding["id"], "report_rectification", org.handler_a, payload={
        "measures": "Boxes moved", "evidence": [digest]}).status_code == 200
    for user in (org.reviewer, org.supervisor, org.admin, org.handler_a):
        assert api.get(body["url"], user).data == data
    assert_error(api.get(f"/api/v1/attachments/{'0' * 64}", org.admin), 404)
    assert_error(api.get("/api/v1/attachments/short", org.admin), 404)


def test_a_pdf_is_downloaded_as_an_attachment_when_asked(api, org):
    data = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    body = api.upload(org.inspector, data, "报告.pdf").get_json()
    assert body["media_type"] == "application/pdf"
    download = api.get(body["url"] + "?download=1", org.inspector)
    assert download.headers["Content-Disposition"] == (
        "attachment; filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf")


def test_an_upload_without_a_file_is_a_422(api, org):
    body = assert_error(api.post("/api/v1/attachments", org.inspector, data={},
                                 content_type="multipart/form-data"), 422)
    assert set(body["errors"]) == {"file"}


# --- tokens ----------------------------------------------------------------------------------


def test_tokens_are_issued_for_the_right_password_and_revocable(client, org):
    assert_error(client.post("/api/v1/auth/token",
                             json={"username": "inspector", "password": "wrong"}), 401)
    assert_error(client.post("/api/v1/auth/token",
                             json={"username": "nobody", "password": "wrong"}), 401)
    response = client.post("/api/v1/auth/token",
                           json={"username": "inspector", "password": org.password})
    assert response.status_code == 201 and response.get_json()["user"] == "inspector"
    headers = {"Authorization": f"Bearer {response.get_json()['token']}"}
    assert client.get("/api/v1/findings", headers=headers).status_code == 200
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    assert_error(client.get("/api/v1/findings", headers=headers), 401)
    assert_error(client.delete("/api/v1/auth/token", headers=headers), 401)
    assert_error(client.delete("/api/v1/auth/token"), 401)
    assert_error(client.get("/api/v1/findings", headers={"Authorization": "Bearer nope"}), 401)


def test_a_password_reset_or_deactivation_revokes_the_users_tokens(client, api, org):
    def token() -> dict[str, str]:
        response = client.post("/api/v1/auth/token",
                               json={"username": "handler_b", "password": org.password})
        return {"Authorization": f"Bearer {response.get_json()['token']}"}

    headers = token()
    assert client.get("/api/v1/findings", headers=headers).status_code == 200
    assert api.patch(f"/api/v1/users/{org.handler_b.id}", org.admin,
                     json={"password": "a-new-password"}).status_code == 200
    assert_error(client.get("/api/v1/findings", headers=headers), 401)
    response = client.post("/api/v1/auth/token",
                           json={"username": "handler_b", "password": "a-new-password"})
    headers = {"Authorization": f"Bearer {response.get_json()['token']}"}
    assert client.get("/api/v1/findings", headers=headers).status_code == 200
    assert api.patch(f"/api/v1/users/{org.handler_b.id}", org.admin,
                     json={"active": False}).status_code == 200
    assert_error(client.get("/api/v1/findings", headers=headers), 401)


# --- directory -------------------------------------------------------------------------------


def test_units_in_scope_and_adding_one(api, org):
    codes = [u["code"] for u in api.get("/api/v1/units", org.handler_a).get_json()]
    assert codes == ["GA", "GA-1", "GA-2"]
    units = api.get("/api/v1/units", org.admin).get_json()
    assert [u["code"] for u in units] == ["COMM", "IB", "GA", "GA-1", "GA-2", "GB", "GB-1"]
    assert [u["depth"] for u in units] == [0, 1, 2, 3, 3, 2, 3]
    new = {"code": "GB-2", "name_zh": "乙二公司", "name_en": "Subsidiary B2", "kind": "subsidiary",
           "parent_id": org.group_b.id}
    assert_error(api.post("/api/v1/units", org.supervisor, json=new), 403)
    response = api.post("/api/v1/units", org.admin, json=new)
    assert response.status_code == 201 and response.get_json()["parent_id"] == org.group_b.id
    assert "GB-2" in [u["code"] for u in api.get("/api/v1/units", org.handler_b).get_json()]
    body = assert_error(api.post("/api/v1/units", org.admin, json={**new, "code": "X",
                                                                    "parent_id": 999}), 422)
    assert set(body["errors"]) == {"parent_id"}
    body = assert_error(api.post("/api/v1/units", org.admin, json={**new, "kind": "planet"}), 422)
    assert set(body["errors"]) == {"code", "kind"}  # GB-2 exists now: every error at once


def test_users_are_for_admins_only(api, org):
    for user in (org.supervisor, org.inspector, org.handler_a):
        assert_error(api.get("/api/v1/users", user), 403)
        assert_error(api.post("/api/v1/users", user, json={
            "username": "mallory", "display_name": "M", "password": "long-enough",
            "roles": ["admin"], "unit_id": org.commission.id}), 403)
        assert_error(api.patch(f"/api/v1/users/{user.id}", user, json={"roles": ["admin"]}), 403)
    users = api.get("/api/v1/users", org.admin).get_json()
    assert [u["username"] for u in users] == sorted(org.users)
    assert all("password" not in u and "password_hash" not in u for u in users)
    assert_error(api.patch("/api/v1/users/9999", org.admin, json={"active": False}), 404)


def test_users_come_a_page_at_a_time_with_the_admin_pages_filter(api, rectify, org):
    with rectify.unit_of_work() as uow:
        unit = uow.session.merge(org.sub_b1)
        for n in range(PAGE_SIZE + 3):
            create_user(uow.session, f"zz-clerk-{n:03}", f"办事员{n}", "clerk-secret-pw",
                        ["handler"], unit)
        uow.commit()
    total = len(org.users) + PAGE_SIZE + 3
    first = api.get("/api/v1/users", org.admin)
    second = api.get("/api/v1/users?page=2", org.admin)
    assert len(first.get_json()) == PAGE_SIZE
    assert (first.headers["X-Total-Count"], first.headers["X-Pages"]) == (str(total), "2")
    names = [u["username"] for u in first.get_json() + second.get_json()]
    assert names == sorted(names) and len(set(names)) == total
    clerks = api.get(f"/api/v1/users?q=zz-clerk-05&unit={org.sub_b1.id}&role=handler", org.admin)
    assert [u["username"] for u in clerks.get_json()] == ["zz-clerk-050", "zz-clerk-051",
                                                         "zz-clerk-052"]
    assert clerks.headers["X-Total-Count"] == "3"
    body = assert_error(api.get("/api/v1/users?page=0&role=auditer", org.admin), 422)
    assert set(body["errors"]) == {"page", "role"}


def test_admin_creates_and_patches_a_user(api, client, org):
    response = api.post("/api/v1/users", org.admin, json={
        "username": "handler_b1", "display_name": "乙一公司联络人", "password": "b1-secret-pw",
        "roles": ["handler"], "unit_id": org.sub_b1.id, "language": "en"})
    assert response.status_code == 201
    created = response.get_json()
    assert (created["roles"], created["unit"]["code"], created["language"], created["active"]) == (
        ["handler"], "GB-1", "en", True)
    assert login(client, "handler_b1", "b1-secret-pw").status_code == 302
    body = assert_error(api.post("/api/v1/users", org.admin, json={
        "username": "handler_b1", "display_name": "Again", "password": "b1-secret-pw",
        "roles": ["handler"], "unit_id": org.sub_b1.id}), 422)
    assert set(body["errors"]) == {"username"}
    body = assert_error(api.post("/api/v1/users", org.admin, json={
        "username": "x", "display_name": "", "password": "short", "roles": ["wizard"],
        "unit_id": org.sub_b1.id}), 422)
    assert set(body["errors"]) >= {"username", "display_name", "password", "roles.0"}

    patched = api.patch(f"/api/v1/users/{created['id']}", org.admin, json={
        "roles": ["handler", "reviewer"], "unit_id": org.group_b.id, "display_name": "乙集团联络人"})
    assert patched.status_code == 200
    assert (patched.get_json()["roles"], patched.get_json()["unit"]["code"]) == (
        ["handler", "reviewer"], "GB")


def test_a_password_reset_ends_the_users_sessions(api, browser, client, org):
    session = browser("handler_b")
    assert session.get("/work").status_code == 200
    response = api.patch(f"/api/v1/users/{org.handler_b.id}", org.admin,
                         json={"password": "a-brand-new-password"})
    assert response.status_code == 200
    assert session.get("/work").status_code == 302  # logged out
    assert login(client, "handler_b").status_code == 401  # the old password is gone
    assert login(client, "handler_b", "a-brand-new-password").status_code == 302


def test_deactivating_a_user_ends_sessions_and_tokens(api, browser, org):
    session = browser("handler_b")
    token_headers = api.headers(org.handler_b)
    assert api.patch(f"/api/v1/users/{org.handler_b.id}", org.admin,
                     json={"active": False}).status_code == 200
    assert session.get("/work").status_code == 302
    assert_error(api.client.get("/api/v1/findings", headers=token_headers), 401)


def test_campaigns(api, org):
    body = {"name": "Spring safety campaign", "starts_on": "2026-03-01", "ends_on": "2026-04-30",
            "scope": "All groups", "organiser_id": org.inspection_body.id}
    assert_error(api.post("/api/v1/campaigns", org.handler_a, json=body), 403)
    assert_error(api.post("/api/v1/campaigns", org.inspector, json=body), 403)
    response = api.post("/api/v1/campaigns", org.supervisor, json=body)
    assert response.status_code == 201
    assert response.get_json()["organiser"]["code"] == "IB"
    listed = api.get("/api/v1/campaigns", org.handler_a).get_json()
    assert [c["name"] for c in listed] == ["Spring safety campaign"]
    errors = assert_error(api.post("/api/v1/campaigns", org.supervisor, json={
        **body, "starts_on": "March"}), 422)["errors"]
    assert set(errors) == {"starts_on"}


def test_inspections_and_raising_within_one(api, driver, org):
    campaign = api.post("/api/v1/campaigns", org.admin, json={
        "name": "Food safety week", "starts_on": "2026-03-01",
        "organiser_id": org.commission.id}).get_json()
    visit = {"unit_id": org.group_a.id, "inspected_on": "2026-03-02", "method": "unannounced",
             "team": "Team Li", "campaign_id": campaign["id"]}
    assert_error(api.post("/api/v1/inspections", org.handler_a, json=visit), 403)
    response = api.post("/api/v1/inspections", org.inspector, json=visit)
    assert response.status_code == 201
    inspection = response.get_json()
    assert (inspection["unit"]["code"], inspection["method"], inspection["campaign_id"]) == (
        "GA", "unannounced", campaign["id"])
    assert [i["id"] for i in api.get("/api/v1/inspections", org.handler_a).get_json()] == [
        inspection["id"]]
    assert api.get("/api/v1/inspections", org.handler_b).get_json() == []
    finding = driver.raise_("standard", inspection=inspection["id"])
    assert (finding["inspection_id"], finding["campaign_id"]) == (inspection["id"], campaign["id"])
    body = assert_error(api.post("/api/v1/inspections", org.inspector, json={
        **visit, "campaign_id": 999}), 422)
    assert set(body["errors"]) == {"campaign_id"}


# --- lifecycles and numbers ------------------------------------------------------------------


def test_lifecycles_with_their_diagrams(api, org, registry):
    listed = api.get("/api/v1/lifecycles", org.handler_a).get_json()
    assert [(lc["name"], lc["version"]) for lc in listed] == [
        (lc.name, lc.version) for lc in registry.all()]
    for lifecycle in listed:
        spec = registry.get(lifecycle["name"], lifecycle["version"])
        assert "stateDiagram-v2" in lifecycle["mermaid"]
        assert lifecycle["digest"] == spec.digest and lifecycle["initial"] == spec.initial
        assert [s["name"] for s in lifecycle["states"]] == [s.name for s in spec.states]
        assert [t["trigger"] for t in lifecycle["transitions"]] == [
            t.trigger for t in spec.transitions]
    one = api.get("/api/v1/lifecycles/standard/1", org.handler_a).get_json()
    assert one["title"] == "一般问题整改" and one["raise_roles"] == ["inspector"]
    assert "已发现" in one["mermaid"]
    assert_error(api.get("/api/v1/lifecycles/standard/99", org.handler_a), 404)
    assert_error(api.get("/api/v1/lifecycles/nonsense/1", org.handler_a), 404)


def _by_unit(numbers):
    return {u["unit"]: (u["total"], u["open"], u["overdue"]) for u in numbers["by_unit"]}


def test_dashboard_numbers(api, driver, org, clock):
    closed = driver.bring_to("standard", "closed")  # rectified on day 0, due on day 14
    late = driver.bring_to("standard", "assigned")  # due on day 14, never rectified
    driver.bring_to("standard", "withdrawn")  # not counted
    driver.raise_("suggestion", unit=org.group_b.id)  # a suggestion: counted apart (stats)
    driver.raise_("standard", unit=org.group_b.id)  # open, not yet due
    clock.advance(days=20)
    numbers = api.get("/api/v1/dashboard", org.supervisor).get_json()
    assert numbers["totals"] == {
        "total": 3, "open": 2, "rectified": 1, "confirmed": 1, "overdue": 1, "rework_rounds": 0,
        "due_and_rectified": 1, "on_time": 1, "rectification_rate": round(1 / 3, 4),
        "on_time_rate": 0.5,  # in time: the closed one; the overdue one counts against it
        "review_overdue": 0, "acknowledge_overdue": 1}  # the late one was never signed for
    # per unit, from where the findings split: below the inspection body, the two groups
    assert _by_unit(numbers) == {"甲集团": (2, 1, 1), "乙集团": (1, 1, 0)}
    assert _by_unit(api.get("/api/v1/dashboard", org.inspector).get_json()) == _by_unit(numbers)
    focused = api.get(f"/api/v1/dashboard?unit={org.group_a.id}", org.supervisor).get_json()
    assert _by_unit(focused) == {"甲集团": (2, 1, 1)}  # its own findings on its own row
    assert focused["totals"]["total"] == 2
    assert {(s["lifecycle"], s["state"], s["count"]) for s in numbers["by_state"]} == {
        ("standard", "closed", 1), ("standard", "assigned", 1), ("standard", "withdrawn", 1),
        ("standard", "raised", 1), ("suggestion", "proposed", 1)}
    # a unit's reviewer sees its subtree only, whatever unit it asks about
    for query in ("", f"?unit={org.group_b.id}"):
        mine = api.get(f"/api/v1/dashboard{query}", org.handler_reviewer_a).get_json()["totals"]
        assert (mine["total"], mine["open"], mine["overdue"]) == (2, 1, 1)
    assert_error(api.get("/api/v1/dashboard", org.handler_b), 403)  # as the page: not handlers
    assert api.get(f"/api/v1/findings/{late['id']}", org.supervisor).get_json()["overdue"] is True
    assert api.get(f"/api/v1/findings/{closed['id']}", org.supervisor).get_json()["overdue"] is False


# --- one error format everywhere -------------------------------------------------------------


def test_unknown_api_routes_and_methods_answer_in_the_error_format(api, org):
    assert_error(api.get("/api/v1/nothing-here", org.admin), 404)
    assert_error(api.call("DELETE", "/api/v1/findings", org.admin), 405)
    assert_error(api.get("/api/v1/findings/9999", org.admin), 404)
