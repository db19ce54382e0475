"""The reviewer's delay and the unacknowledged, apart from the unit's: the dashboard counts
follow-up checks past 复查时限 and findings not acknowledged by their 签收 deadline, in total
and per unit, each count linking to the ledger filter that lists exactly those (the fake
clock's today is Monday 2026-03-02)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import update
from web_support import text_of

from workflow.models import Finding

PAST, TODAY, SOON = date(2026, 2, 27), date(2026, 3, 2), date(2026, 3, 4)
REPORTED = datetime(2026, 2, 20, tzinfo=UTC)
SHAPES = {  # title -> columns; the first two are late, the rest are not
    "review late": {"rectified_at": REPORTED, "review_due_date": PAST, "due_date": SOON},
    "ack late": {"acknowledge_due_date": PAST, "due_date": SOON},
    "review today": {"rectified_at": REPORTED, "review_due_date": TODAY},
    "review decided": {"rectified_at": None, "review_due_date": PAST},  # sent back: unit's clock
    "ack signed": {"acknowledge_due_date": PAST, "acknowledged_at": REPORTED},
    "ack soon": {"acknowledge_due_date": SOON},
    "unit late": {"due_date": PAST},
}


@pytest.fixture
def late(driver, rectify):
    """One finding per shape, assigned to group A, keyed by title."""
    ids = {title: driver.raise_(title=f"Finding {title}")["id"] for title in SHAPES}
    with rectify.unit_of_work() as uow:
        for title, finding_id in ids.items():
            uow.session.execute(update(Finding).where(Finding.id == finding_id)
                                .values(**SHAPES[title]))
        uow.commit()
    return ids


def _listed(api, org, query):
    body = api.get(f"/api/v1/findings?{query}&limit=500", org.admin).get_json()
    return {f["title"].removeprefix("Finding ") for f in body["items"]}


def test_each_filter_lists_exactly_its_late_findings(api, org, late):
    assert _listed(api, org, "review_overdue=true") == {"review late"}
    assert _listed(api, org, "acknowledge_overdue=true") == {"ack late"}
    assert _listed(api, org, "overdue=true") == {"unit late"}
    assert _listed(api, org, "review_overdue=false") == set(SHAPES) - {"review late"}


def test_a_bad_value_is_a_field_error(api, org):
    body = api.get("/api/v1/findings?review_overdue=maybe", org.admin).get_json()
    assert set(body["errors"]) == {"review_overdue"}


def test_the_dashboard_counts_the_delays_apart_in_total_and_per_unit(api, org, late):
    board = api.get("/api/v1/dashboard", org.admin).get_json()
    assert (board["totals"]["overdue"], board["totals"]["review_overdue"],
            board["totals"]["acknowledge_overdue"]) == (1, 1, 1)
    rows = {row["unit_id"]: row for row in board["by_unit"]}
    assert (rows[org.group_a.id]["overdue"], rows[org.group_a.id]["review_overdue"]) == (1, 1)
    assert all(row["review_overdue"] == 0 for uid, row in rows.items() if uid != org.group_a.id)


@pytest.mark.parametrize(("kpi", "title"), [("review-overdue", "review late"),
                                             ("acknowledge-overdue", "ack late")])
def test_the_dashboard_counts_link_to_the_ledger_listing_exactly_those(browser, org, late, kpi,
                                                                       title):
    client = browser("admin")
    page = client.get(f"/dashboard?unit={org.group_a.id}").get_data(as_text=True)
    link = re.search(rf'id="kpi-{kpi}" href="([^"]+)">(\d+)<', page)
    assert link and link.group(2) == "1"
    ledger = text_of(client.get(link.group(1).replace("&amp;", "&")))
    assert [t for t in SHAPES if f"Finding {t}" in ledger] == [title]


def test_the_command_line_ledger_filters_the_same_late_findings(api, org, late, rectify,
                                                                tmp_path):
    from click.testing import CliRunner

    from workflow.cli import engine

    env = {"RECTIFY_DATABASE_URL": rectify.settings.database_url,
           "RECTIFY_INSTANCE_PATH": str(tmp_path / "cli")}
    codes = {f["title"].removeprefix("Finding "): f["code"] for f in
             api.get("/api/v1/findings?limit=500", org.admin).get_json()["items"]}
    # The command runs on the real clock, where every date of SHAPES (March 2026) has passed.
    review_late, ack_late = {"review late", "review today"}, {"ack late", "ack soon"}
    for flag, wanted in (("--review-overdue", review_late),
                         ("--acknowledge-overdue", ack_late),
                         ("--not-review-overdue", set(SHAPES) - review_late)):
        result = CliRunner().invoke(engine, ["ledger", flag, "--format", "csv"], env=env)
        assert result.exit_code == 0, result.output
        listed = {line.split(",", 1)[0] for line in result.output.splitlines()[1:]}
        assert listed == {codes[title] for title in wanted}, flag
