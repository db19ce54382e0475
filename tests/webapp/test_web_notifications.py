"""The bell and the notifications (page and API): the count is the user's unread rows and drops
when they are read; nobody reads or marks another user's (404, as for an id that does not
exist); a notification links to its finding only while the reader may still see it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from web_support import assert_error, text_of

from workflow.models import Notification


def _assign(driver, org, finding_id: int) -> None:
    """Assign a raised finding to its unit (the unit's handlers are told)."""
    due = (driver.today() + timedelta(days=20)).isoformat()
    response = driver.fire(finding_id, "assign", actor=org.inspector,
                           payload={"requirement": "Clear the exits", "due_date": due})
    assert response.status_code == 200, response.get_json()


@pytest.fixture
def told(driver, org):
    """Two findings of group A assigned: handler_a has two notifications."""
    ids = [driver.raise_(title=f"Exit {n} blocked")["id"] for n in (1, 2)]
    for finding_id in ids:
        _assign(driver, org, finding_id)
    return ids


def _unread_rows(rectify, user) -> int:
    with rectify.unit_of_work(write=False) as uow:
        return uow.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.user_id == user.id, Notification.read_at.is_(None)))


def _bell(page) -> int:
    """The unread count the top bar shows (0: no count at all)."""
    found = re.search(r'<span class="count" data-unread="(\d+)">', text_of(page))
    return int(found.group(1)) if found else 0


def _own(api, user) -> list[dict]:
    response = api.get("/api/v1/notifications", user)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def test_the_bell_counts_the_unread_rows_and_drops_as_they_are_read(browser, api, rectify, org,
                                                                    told):
    client = browser("handler_a")
    assert _unread_rows(rectify, org.handler_a) == 2
    assert _bell(client.get("/work")) == 2 == _bell(client.get("/ledger"))
    newest = _own(api, org.handler_a)[0]
    assert newest["finding_id"] == told[1] and "Exit 2 blocked" in newest["subject"]
    opened = client.post(f"/notifications/{newest['id']}/open")
    assert opened.status_code == 302 and opened.location.endswith(f"/findings/{told[1]}")
    assert _unread_rows(rectify, org.handler_a) == 1 == _bell(client.get("/work"))
    assert client.post("/notifications/read").status_code == 302  # mark all read
    assert _unread_rows(rectify, org.handler_a) == 0 == _bell(client.get("/work"))
    page = text_of(client.get("/notifications"))
    assert page.count('class="read"') == 2 and 'class="unread"' not in page


def test_the_api_pages_newest_first_and_marks_by_id(api, rectify, org, told):
    first = api.get("/api/v1/notifications", org.handler_a, query_string={"limit": 1}).get_json()
    assert [n["finding_id"] for n in first["items"]] == [told[1]] and first["unread"] == 2
    second = api.get("/api/v1/notifications", org.handler_a,
                     query_string={"limit": 1, "cursor": first["next_cursor"]}).get_json()
    assert [n["finding_id"] for n in second["items"]] == [told[0]]
    assert second["next_cursor"] is None
    marked = api.post("/api/v1/notifications/read", org.handler_a,
                      json={"ids": [second["items"][0]["id"]]})
    assert marked.get_json() == {"marked": 1, "unread": 1}
    assert api.post("/api/v1/notifications/read", org.handler_a,
                    json={"all": True}).get_json() == {"marked": 1, "unread": 0}
    assert_error(api.post("/api/v1/notifications/read", org.handler_a, json={}), 422)
    assert_error(api.get("/api/v1/notifications", org.handler_a,
                         query_string={"cursor": "x1"}), 422)


def test_nobody_reads_or_marks_another_users_notifications(api, browser, rectify, org, told):
    theirs = _own(api, org.handler_a)[0]["id"]
    assert _own(api, org.handler_b) == []
    for ids in ([theirs], [theirs, 999_999]):
        assert_error(api.post("/api/v1/notifications/read", org.handler_b, json={"ids": ids}),
                     404)
    missing = assert_error(api.post("/api/v1/notifications/read", org.handler_b,
                                    json={"ids": [999_999]}), 404)
    assert missing["message"]  # the same answer as for another user's id
    client = browser("handler_b")
    assert client.post(f"/notifications/{theirs}/open").status_code == 404
    assert client.post("/notifications/read", data={"id": [str(theirs)]}).status_code == 404
    client.post("/notifications/read")  # "mark all" is handler_b's own all: none of handler_a's
    assert _unread_rows(rectify, org.handler_a) == 2


def test_a_notification_links_to_its_finding_only_while_the_reader_may_see_it(
        api, browser, driver, org, told):
    moved = driver.fire(told[0], "reassign", actor=org.inspector,
                        payload={"unit": org.group_b.id, "reason": "Group B runs this site"})
    assert moved.status_code == 200, moved.get_json()
    mine = {n["id"]: n for n in _own(api, org.handler_a)}
    old = next(n for n in mine.values() if "Exit 1" in n["subject"])
    assert (old["finding_id"], old["url"], old["params"]) == (None, None, {})
    kept = next(n for n in mine.values() if "Exit 2" in n["subject"])
    assert kept["finding_id"] == told[1] and kept["url"].endswith(f"/findings/{told[1]}")
    client = browser("handler_a")
    page = text_of(client.get("/notifications"))
    assert page.count('class="link open-finding"') == 1
    opened = client.post(f"/notifications/{old['id']}/open")
    assert opened.status_code == 302 and opened.location.endswith("/notifications")
    told_b = _own(api, org.handler_b)
    assert [n["finding_id"] for n in told_b] == [told[0]]  # the new unit's handler is told


def test_the_openapi_document_covers_the_notifications(api, org):
    document = api.get("/api/v1/openapi.json", org.admin).get_json()
    paths = document["paths"]
    assert set(paths["/api/v1/notifications"]) >= {"get"}
    read = paths["/api/v1/notifications/read"]["post"]
    assert {"200", "404", "422"} <= set(read["responses"])
    schemas = document["components"]["schemas"]
    assert {"NotificationPage", "NotificationOut", "ReadRequest", "ReadResult"} <= set(schemas)
    finding = schemas["FindingDetail"]["properties"]
    assert {"acknowledged_at", "acknowledge_due_date", "review_due_date", "lookback_due_date",
            "overdue_level", "recurrences", "recurrence_of", "delays",
            "unacknowledged"} <= set(finding)
