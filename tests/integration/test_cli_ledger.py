"""`rectify ledger` prints the ledger as a table, CSV or JSON, filtered like the service."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from sqlalchemy import update

from workflow.cli import engine
from workflow.models import Finding

Flow = Any  # the `flow` fixture from tests/conftest.py


@pytest.fixture
def run_ledger(database_url: str, tmp_path: Any) -> Any:
    def run(*args: str) -> Any:
        env = {"RECTIFY_DATABASE_URL": database_url,
               "RECTIFY_INSTANCE_PATH": str(tmp_path / "cli-instance")}
        return CliRunner().invoke(engine, ["ledger", *args], env=env)
    return run


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_ledger_formats_and_filters(flow: Flow, run_ledger: Any) -> None:
    org = flow.org
    a = flow.drive(flow.raise_(title="通道堵塞 A").id, "assign")
    b = flow.raise_(title="=HYPERLINK(\"x\") 台账不全 B", unit=org.group_b.id, severity="high")

    as_json = run_ledger("--format", "json", "--lang", "en")
    assert as_json.exit_code == 0, as_json.output
    rows = {r["code"]: r for r in json.loads(as_json.output)}
    assert set(rows) == {a.code, b.code}
    assert rows[a.code]["state"] == "Assigned" and rows[b.code]["severity"] == "Serious"

    as_csv = run_ledger("--format", "csv", "--unit", "GB")
    assert as_csv.exit_code == 0, as_csv.output
    parsed = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert [r["code"] for r in parsed] == [b.code]
    assert parsed[0]["unit"] == "乙集团" and parsed[0]["state"] == "已发现"
    assert parsed[0]["title"] == "'=HYPERLINK(\"x\") 台账不全 B"  # never a live formula

    table = run_ledger("--state", "assigned")
    assert table.exit_code == 0
    assert a.code in table.output and b.code not in table.output
    assert table.output.rstrip().endswith("1 finding(s)")


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_ledger_refuses_an_unknown_unit_clearly(flow: Flow, run_ledger: Any) -> None:
    result = run_ledger("--unit", "NOPE")
    assert result.exit_code == 1
    assert "unknown unit code 'NOPE'" in result.output


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
@pytest.mark.parametrize(("args", "message"), [
    (("--lifecycle", "nosuch"), "There is no lifecycle 'nosuch'."),
    (("--state", "nosuch"), "There is no state 'nosuch'."),
    (("--category", "nosuch"), "Invalid value for '--category'"),
])
def test_ledger_refuses_unknown_filter_values(flow: Flow, run_ledger: Any, args: tuple[str, ...],
                                              message: str) -> None:
    result = run_ledger(*args)
    assert result.exit_code != 0
    assert message in result.output


@pytest.mark.parametrize("command", [["ledger"], ["verify"],
                                     ["migrate", "standard", "--from", "1", "--to", "2",
                                      "--actor", "admin"]])
def test_commands_on_a_database_that_was_never_initialised_say_so(tmp_path: Any,
                                                                 command: list[str]) -> None:
    env = {"RECTIFY_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}",
           "RECTIFY_INSTANCE_PATH": str(tmp_path / "instance")}
    result = CliRunner().invoke(engine, command, env=env)
    assert result.exit_code == 1
    assert "no Rectify database at" in result.output and "rectify init" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "empty.db").exists()  # a mistyped path leaves no empty database


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_ledger_filters_on_the_light(flow: Flow, rectify: Any, run_ledger: Any) -> None:
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()  # the command runs on the real clock
    add = rectify.calendar.add_working_days
    dues = {"yellow": add(today, 3).date, "green": add(today, 4).date,
            "red": today - timedelta(days=30)}
    codes = {}
    for colour, due in dues.items():
        finding = flow.raise_(title=f"Lit {colour}")
        codes[colour] = finding.code
        with rectify.unit_of_work() as uow:
            uow.session.execute(update(Finding).where(Finding.id == finding.id).values(due_date=due))
            uow.commit()
    for colour in dues:
        out = run_ledger("--light", colour, "--format", "json")
        assert out.exit_code == 0, out.output
        assert [r["code"] for r in json.loads(out.output)] == [codes[colour]]
