"""签收 on My work and in the ledger: a finding awaiting acknowledgement carries a "not
acknowledged" badge and the acknowledge action on My work; the ledger's `unacknowledged` filter
(page, API, CLI) lists exactly the findings a direct count finds, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from web_support import text_of

from workflow.cli import engine
from workflow.models import Finding


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request):
    return request.param


def fired(driver, finding_id, trigger, actor, payload):
    response = driver.fire(finding_id, trigger, actor=actor, payload=payload)
    assert response.status_code == 200, (trigger, response.get_json())


@pytest.fixture
def findings(driver, org):
    """awaiting: assigned, not acknowledged; signed: assigned and acknowledged; raised: never
    assigned; gone: assigned, then withdrawn (closed); other: group B, awaiting."""
    due = (driver.today() + timedelta(days=20)).isoformat()
    assign = {"requirement": "Fix it", "due_date": due}
    ids = {name: driver.raise_(title=f"Finding {name}")["id"]
           for name in ("awaiting", "signed", "raised", "gone")}
    ids["other"] = driver.raise_(title="Finding other", unit=org.group_b.id)["id"]
    for name in ("awaiting", "signed", "gone", "other"):
        fired(driver, ids[name], "assign", org.inspector, assign)
    fired(driver, ids["signed"], "acknowledge", org.handler_a, {"comment": "Received"})
    fired(driver, ids["gone"], "withdraw", org.inspector, {"reason": "Raised in error here"})
    return ids


def counted(rectify) -> set[int]:
    """The rule written out directly: open, with a 签收 deadline, not signed."""
    with rectify.unit_of_work(write=False) as uow:
        return set(uow.session.scalars(select(Finding.id).where(
            Finding.is_open.is_(True), Finding.acknowledge_due_date.is_not(None),
            Finding.acknowledged_at.is_(None))))


def test_the_filter_agrees_in_page_api_cli_and_a_direct_count(api, browser, rectify, org,
                                                               findings, tmp_path):
    expected = counted(rectify)
    assert expected == {findings["awaiting"], findings["other"]}
    with rectify.unit_of_work(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Finding)) == 5
    for value, wanted in (("true", expected), ("false", set(findings.values()) - expected)):
        items = api.get("/api/v1/findings", org.admin,
                        query_string={"unacknowledged": value}).get_json()["items"]
        assert {f["id"] for f in items} == wanted
        assert all(f["unacknowledged"] is (value == "true") for f in items)
    page = text_of(browser("admin").get("/ledger", query_string={"unacknowledged": "1"}))
    codes = {f["id"]: f["code"] for f in api.get("/api/v1/findings", org.admin).get_json()["items"]}
    assert {i for i, code in codes.items() if f">{code}</a>" in page} == expected
    env = {"RECTIFY_DATABASE_URL": rectify.settings.database_url,
           "RECTIFY_INSTANCE_PATH": str(tmp_path / "cli")}
    result = CliRunner().invoke(engine, ["ledger", "--unacknowledged", "--format", "csv"], env=env)
    assert result.exit_code == 0, result.output
    listed = {line.split(",", 1)[0] for line in result.output.splitlines()[1:]}
    assert listed == {codes[i] for i in expected}
    assert all(line.split(",")[9] == "是" for line in result.output.splitlines()[1:])


def test_my_work_shows_the_badge_and_offers_acknowledge(browser, api, org, findings):
    client = browser("handler_a")
    page = text_of(client.get("/work"))
    row = page.split(f'/findings/{findings["awaiting"]}"', 1)[1].split("</tr>", 1)[0]
    assert "未签收" in row and "/fire/acknowledge" in row
    signed = page.split(f'/findings/{findings["signed"]}"', 1)[1].split("</tr>", 1)[0]
    assert "未签收" not in signed and "/fire/acknowledge" not in signed
    version = api.get(f"/api/v1/findings/{findings['awaiting']}", org.handler_a).get_json()
    done = client.post(f"/findings/{findings['awaiting']}/fire/acknowledge",
                       data={"version": str(version["version"])})
    assert done.status_code == 302
    after = api.get(f"/api/v1/findings/{findings['awaiting']}", org.handler_a).get_json()
    assert after["unacknowledged"] is False and after["acknowledged_at"]
    assert "/fire/acknowledge" not in text_of(client.get("/work"))
    inspector = text_of(browser("inspector").get("/ledger"))
    assert "未签收" in inspector and "/fire/acknowledge" not in inspector  # the badge only
