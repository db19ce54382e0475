"""The traffic light on the ledger (column and filter), My work, the finding page and the API,
counted in working days on China's calendar (the fake clock's today is Monday 2026-03-02)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import update
from web_support import text_of, ui

from workflow.models import Finding

DUES = {"yellow": date(2026, 3, 4), "green": date(2026, 3, 16), "red": date(2026, 2, 13)}
LEVELS = {"yellow": 0, "green": 0, "red": 2}  # the red one: the ladder's overdue_7 step fired


@pytest.fixture
def lit(driver, rectify):
    """One finding per colour, assigned to group A, keyed by colour."""
    ids = {colour: driver.raise_(title=f"Finding lit {colour}")["id"] for colour in DUES}
    with rectify.unit_of_work() as uow:
        for colour, finding_id in ids.items():
            uow.session.execute(update(Finding).where(Finding.id == finding_id)
                                .values(due_date=DUES[colour], overdue_level=LEVELS[colour]))
        uow.commit()
    return ids


def test_the_api_gives_each_finding_its_light(api, org, lit):
    items = {f["id"]: f["light"] for f in api.get("/api/v1/findings", org.admin).get_json()["items"]}
    assert items[lit["yellow"]] == {"colour": "yellow", "working_days_left": 2,
                                    "working_days_overdue": None, "level": 0, "estimated": False}
    assert items[lit["green"]]["working_days_left"] == 10
    # Feb 13 (Fri) to Mar 2: Feb 14 and 28 (Saturdays worked), Feb 24-27, Mar 2; 春节 Feb 15-23 off
    assert (items[lit["red"]]["working_days_overdue"], items[lit["red"]]["level"]) == (7, 2)


@pytest.mark.parametrize("colour", ["green", "yellow", "red"])
def test_the_light_filter_in_the_api_and_on_the_ledger(api, browser, org, lit, colour):
    body = api.get(f"/api/v1/findings?light={colour}", org.admin).get_json()
    assert [f["id"] for f in body["items"]] == [lit[colour]]
    page = text_of(browser("admin").get(f"/ledger?light={colour}"))
    assert [title for title in (f"Finding lit {c}" for c in DUES) if title in page] == \
        [f"Finding lit {colour}"]


def test_the_light_shows_as_a_label_not_colour_alone(app, browser, lit):
    ledger = text_of(browser("admin").get("/ledger"))
    for label in ("On track", "Due soon", "Overdue (level 2)"):
        assert ui(app, label) in ledger
    assert "逾期（二级）" in ledger and 'data-light="red"' in ledger
    assert ui(app, "%(n)s working days left", n=2) in ledger
    assert ui(app, "Overdue (level 2)", locale="en") == "Overdue (level 2)"
    page = text_of(browser("admin").get(f"/findings/{lit['red']}"))
    assert "逾期（二级）" in page and ui(app, "%(n)s working days overdue", n=7) in page


def test_a_bad_light_is_a_field_error(api, org):
    body = api.get("/api/v1/findings?light=blue", org.admin).get_json()
    assert set(body["errors"]) == {"light"}


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_the_dashboard_counts_each_light_as_the_ledger_filter_lists_it(api, driver, org, lit,
                                                                      rectify):
    driver.raise_(title="Finding undated")  # no light: not counted anywhere
    lights = api.get("/api/v1/dashboard", org.admin).get_json()["lights"]
    for colour in DUES:
        rows = api.get(f"/api/v1/findings?light={colour}&limit=500", org.admin).get_json()["items"]
        assert lights[colour] == len(rows) == 1
    red = api.get("/api/v1/findings?light=red", org.admin).get_json()["items"]
    levels = api.get("/api/v1/dashboard", org.admin).get_json()["red_levels"]
    assert levels == {str(n): sum(f["light"]["level"] == n for f in red) for n in (1, 2, 3)}
    assert levels == {"1": 0, "2": 1, "3": 0}
    with rectify.unit_of_work() as uow:  # the level is the ladder's column, not the days overdue
        uow.session.execute(update(Finding).where(Finding.id == lit["red"]).values(overdue_level=0))
        uow.commit()
    levels = api.get("/api/v1/dashboard", org.admin).get_json()["red_levels"]
    assert levels == {"1": 1, "2": 0, "3": 0}
    scoped = api.get(f"/api/v1/dashboard?unit={org.group_b.id}", org.admin).get_json()["lights"]
    assert scoped == {"green": 0, "yellow": 0, "red": 0}


def test_the_dashboard_lights_link_to_the_ledger_filtered_by_that_light(browser, org, lit):
    client = browser("admin")
    page = client.get(f"/dashboard?unit={org.group_a.id}").get_data(as_text=True)
    for colour in DUES:
        link = re.search(rf'id="light-{colour}" href="([^"]+)">(\d+)<', page)
        assert link and link.group(2) == "1"
        href = link.group(1).replace("&amp;", "&")
        assert f"light={colour}" in href and f"unit={org.group_a.id}" in href
        ledger = text_of(client.get(href))
        assert [c for c in DUES if f"Finding lit {c}" in ledger] == [colour]
    assert "逾期（二级） 1" in text_of(client.get("/dashboard"))
