"""The ledger as of a past moment on the page (picker and banner), the API and the CLI: the
same `as_of` argument, the finding under the unit it had then; a future moment refused."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner
from web_support import assert_error, text_of

from workflow.cli import engine


@pytest.fixture
def reassigned(flow: Any, clock: Any) -> int:
    """A finding raised at group_a at 09:00 local, reassigned to group_b at 10:00."""
    fid = flow.raise_(title="Exits blocked at the depot").id
    clock.advance(hours=1)
    flow.fire(fid, "reassign")
    return int(fid)


BEFORE = "2026-03-02T09:30"  # local time (Asia/Shanghai), between the two
FUTURE = "2026-03-03T09:30"


def table(response: Any) -> str:
    """The findings table of a ledger page (the filters name every unit too)."""
    return response.get_data(as_text=True).split("<table", 1)[1]


def test_the_page_shows_the_ledger_as_of_a_moment(browser: Any, org: Any, reassigned: int
                                                  ) -> None:
    client = browser("admin")
    past = client.get("/ledger", query_string={"as_of": BEFORE})
    assert past.status_code == 200
    html = past.get_data(as_text=True)
    assert 'id="as-of-banner"' in html and 'value="2026-03-02T09:30"' in html
    assert org.group_a.name_zh in table(past) and org.group_b.name_zh not in table(past)
    now = client.get("/ledger")
    assert 'id="as-of-banner"' not in now.get_data(as_text=True)
    assert org.group_b.name_zh in table(now) and org.group_a.name_zh not in table(now)
    export = client.get("/ledger.csv", query_string={"as_of": BEFORE}).get_data(as_text=True)
    assert org.group_a.name_zh in export and org.group_b.name_zh not in export
    future = client.get("/ledger", query_string={"as_of": FUTURE})
    assert future.status_code == 422 and "as_of" in text_of(future)


def test_the_api_and_the_cli_take_as_of(api: Any, org: Any, reassigned: int, rectify: Any,
                                        tmp_path: Any) -> None:
    items = api.get("/api/v1/findings", org.admin, query_string={"as_of": BEFORE}).get_json()
    assert [(i["id"], i["unit"]["id"]) for i in items["items"]] == [(reassigned, org.group_a.id)]
    now = api.get("/api/v1/findings", org.admin).get_json()["items"]
    assert now[0]["unit"]["id"] == org.group_b.id
    error = assert_error(api.get("/api/v1/findings", org.admin,
                                 query_string={"as_of": FUTURE}), 422)
    assert set(error["errors"]) == {"as_of"}
    env = {"RECTIFY_DATABASE_URL": rectify.settings.database_url,
           "RECTIFY_INSTANCE_PATH": str(tmp_path / "cli-instance")}

    def run(*args: str) -> Any:
        return CliRunner().invoke(engine, ["ledger", *args], env=env)

    rows = json.loads(run("--as-of", BEFORE, "--format", "json").output)
    assert [r["unit"] for r in rows] == [org.group_a.name_zh]
    refused = run("--as-of", "2999-01-01")
    assert refused.exit_code == 1 and "as_of" in refused.output
