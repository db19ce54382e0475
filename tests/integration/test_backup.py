"""`rectify backup`: a copy of a live SQLite database (a writer's open transaction left out)
that restores into a fresh instance `verify` accepts, and rejects once tampered with; on
PostgreSQL, pg_dump's custom format."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from workflow.cli import engine
from workflow.runtime import Rectify

Flow = Any


def cli(database_url: str, instance: Path, *args: str) -> Any:
    env = {"RECTIFY_DATABASE_URL": database_url, "RECTIFY_INSTANCE_PATH": str(instance)}
    return CliRunner().invoke(engine, list(args), env=env)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_live_backup_restores_and_verifies(rectify: Rectify, flow: Flow, database_url: str,
                                             tmp_path: Path) -> None:
    first = flow.drive(flow.raise_(title="Backed up finding").id, "assign", "report_rectification")
    flow.raise_(title="Another backed up finding")
    instance = rectify.settings.instance_path
    live = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    live.execute("BEGIN IMMEDIATE")  # a writer in the middle of its transaction
    live.execute("UPDATE findings SET severity = 'uncommitted' WHERE id = ?", (first.id,))
    target = tmp_path / "copy.db"
    made = cli(database_url, instance, "backup", str(target))
    live.execute("ROLLBACK")
    live.close()
    assert made.exit_code == 0, made.output
    assert f"backed up {database_url.removeprefix('sqlite:///')} to {target}" in made.output

    fresh = tmp_path / "restored"
    fresh.mkdir()
    shutil.copyfile(target, fresh / "rectify.db")  # the restore: the file copied back
    restored_url = f"sqlite:///{fresh / 'rectify.db'}"
    checked = cli(restored_url, instance, "verify")
    assert checked.exit_code == 0, checked.output
    assert "ok: every finding's event chain verifies (4 events of 2 findings)" in checked.output

    with sqlite3.connect(fresh / "rectify.db") as tamper:
        tamper.execute("DROP TRIGGER events_no_update")
        tamper.execute("UPDATE events SET payload = '{\"note\": \"forged\"}' "
                       "WHERE finding_id = ? AND seq = 3", (first.id,))
    rejected = cli(restored_url, instance, "verify")
    assert rejected.exit_code == 1, rejected.output
    assert f"{first.code} event #3" in rejected.output
    assert "hash does not match the event's content (edited)" in rejected.output


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_backup_never_overwrites(rectify: Rectify, database_url: str, tmp_path: Path) -> None:
    target = tmp_path / "kept.db"
    target.write_bytes(b"an older backup")
    answer = cli(database_url, rectify.settings.instance_path, "backup", str(target))
    assert answer.exit_code == 2 and "already exists" in answer.output
    assert target.read_bytes() == b"an older backup"
    nowhere = cli(database_url, rectify.settings.instance_path, "backup",
                  str(tmp_path / "no" / "such.db"))
    assert nowhere.exit_code == 2 and "does not exist." in nowhere.output


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_postgres_backup_is_a_pg_dump(rectify: Rectify, flow: Flow, database_url: str,
                                      tmp_path: Path) -> None:
    flow.raise_(title="Dumped finding")
    target = tmp_path / "rectify.dump"
    answer = cli(database_url, rectify.settings.instance_path, "backup", str(target))
    if shutil.which("pg_dump") is None:
        assert "pg_dump is not installed here" in answer.output
    else:
        assert answer.exit_code == 0, answer.output
        assert target.read_bytes()[:5] == b"PGDMP"  # the custom format pg_restore reads
    assert "pg_restore --no-owner --clean --if-exists --exit-on-error" in answer.output
