"""`rectify verify --facts`: the facts kept on each findings row (statistics, export) folded again
from the events: silent on what the engine wrote, naming the finding and the column when a row
was edited behind its back; --facts is refused with --since or --anchor."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner
from db_support import rectify_with_unrecorded_report
from sqlalchemy import update
from stats_world_support import random_world

from workflow.cli import engine
from workflow.models import Finding
from workflow.runtime import Rectify
from workflow.services.migrate import migrate_findings
from workflow.services.verify_facts import FACT_COLUMNS, facts_disagreeing

FINDINGS = Finding.__table__


def _disagreeing(rectify: Rectify) -> list[tuple[str, list[str]]]:
    with rectify.unit_of_work(write=False) as uow:
        return [(ref.code, columns) for ref, columns in
                facts_disagreeing(uow.session.connection(), uow.registry)]


def _verify(database_url: str, tmp_path: Any, *args: str) -> tuple[int, str]:
    env = {"RECTIFY_DATABASE_URL": database_url, "RECTIFY_INSTANCE_PATH": str(tmp_path / "instance")}
    result = CliRunner().invoke(engine, ["verify", *args], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def test_what_the_engine_wrote_agrees(flow: Any, rectify: Rectify, database_url: str,
                                      tmp_path: Any) -> None:
    """A random world of every lifecycle (reworks, extensions, comments, waived ones)."""
    random_world(flow, rectify, seed=11, findings=16)
    assert _disagreeing(rectify) == []
    code, output = _verify(database_url, tmp_path, "--facts")
    assert code == 0, output
    assert "ok: the facts kept on every finding agree with its events (17 findings)" in output


def test_a_migrated_finding_agrees_in_its_new_version(flow_v1: Any, rectify: Rectify,
                                                      tmp_path: Any) -> None:
    """v2's report records no rectification: after the migration the kept facts (replayed by the
    engine) have no report, and the check reads the events in v2 too."""
    migrating = rectify_with_unrecorded_report(rectify, tmp_path / "defs")
    try:
        finding = flow_v1.drive(flow_v1.raise_().id, "assign", "report_rectification")
        assert finding.reported_us is not None
        with migrating.unit_of_work() as uow:
            assert migrate_findings(uow, flow_v1.org.admin, "standard", 1, 2, {}) == 1
        assert flow_v1.finding(finding.id).reported_us is None
        assert _disagreeing(migrating) == []
        assert _disagreeing(rectify) == [(finding.code, ["reported_us", "reports_us"])]
    finally:
        migrating.database.dispose()


# each fact column edited to a value its events do not give
EDITS: dict[str, Any] = {
    "raised_us": 1, "reported_us": 2, "reports_us": [3], "confirmed_us": 4,
    "state_since_us": 5, "state_us": {"assigned": 6}, "measures_reported": "已整改（改写）",
    "due_changes": '[["2099-01-01","raise",true]]', "last_action_trigger": "confirm",
    "last_action_by_id": None, "last_action_at": None,
}


@pytest.mark.parametrize("column", FACT_COLUMNS)
def test_an_edited_fact_is_named(flow: Any, rectify: Rectify, column: str) -> None:
    flow.drive(flow.raise_().id, "assign", "report_rectification")  # left alone: not named
    edited = flow.drive(flow.raise_().id, "assign", "report_rectification")
    assert _disagreeing(rectify) == []
    with rectify.database.engine.begin() as conn:
        conn.execute(update(FINDINGS).where(FINDINGS.c.id == edited.id).values({column: EDITS[column]}))
    assert _disagreeing(rectify) == [(edited.code, [column])]


def test_the_command_fails_and_names_the_row(flow: Any, rectify: Rectify, database_url: str,
                                             tmp_path: Any) -> None:
    edited = flow.drive(flow.raise_().id, "assign", "report_rectification")
    with rectify.database.engine.begin() as conn:
        conn.execute(update(FINDINGS).where(FINDINGS.c.id == edited.id)
                     .values(measures_reported="改写的措施", reported_us=None))
    code, output = _verify(database_url, tmp_path)  # without --facts: the chains still verify
    assert code == 0, output
    code, output = _verify(database_url, tmp_path, "--facts")
    assert code == 1
    assert (f"{edited.code} facts: reported_us, measures_reported not what its events give"
            in output)
    assert "FAILED: 1 finding(s) whose kept facts disagree with their events" in output


@pytest.mark.parametrize("other", ["--since", "--anchor"])
def test_facts_go_with_a_whole_verify_only(database_url: str, tmp_path: Any, other: str) -> None:
    code, output = _verify(database_url, tmp_path, "--facts", other, "abcdef0123456789@2026-01-01T00:00:00Z")
    assert code == 2
    assert "--facts checks every finding: give it without --anchor or --since" in output
