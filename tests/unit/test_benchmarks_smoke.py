"""The benchmark suite still runs (tiny sizes, SQLite and PostgreSQL): it cannot rot unnoticed."""

from __future__ import annotations

import json
import os
import sqlite3

import pytest

from benchmarks import peers
from benchmarks.peers.raw_floor import RawDriverFloor
from benchmarks.suite import main
from benchmarks.world import Raw
from tests.conftest import POSTGRES_ENV


def test_every_benchmark_runs_and_reports_each_case(tmp_path, capsys) -> None:
    argv = ["--smoke", "--out", str(tmp_path)]
    if os.environ.get(POSTGRES_ENV):
        argv += ["--postgres", os.environ[POSTGRES_ENV]]
    assert main(argv) == 0
    results = json.loads((tmp_path / "latest.json").read_text())
    keys = {section["key"] for section in results["sections"]}
    bulk = {"bulk", "dashboard_tree", "dashboard_group", "daily_report_tree", "daily_report_group",
            "export", "export_memory", "import", "as_of", "verify"}
    assert {"transition_sqlite", "machine", "memory", "ledger_sqlite", "tick_sqlite"} <= keys
    assert {f"{case}_sqlite" for case in bulk} <= keys
    assert {"pages_sqlite_first page", "pages_sqlite_q=台账, before"} <= keys
    if os.environ.get(POSTGRES_ENV):
        assert {"transition_postgresql", "ledger_postgresql", "tick_postgresql"} <= keys
        assert {f"{case}_postgresql" for case in bulk} <= keys
    backends = ["sqlite", "postgresql"] if os.environ.get(POSTGRES_ENV) else ["sqlite"]
    if peers.missing():  # without the bench extra (as CI installs): said so, nothing else missing
        assert results["skipped"] == [peers.skipped()]
    else:  # with it: every peer measured on every backend, side by side in the peers table
        assert {f"peers_{backend}" for backend in backends} <= keys
        assert results["skipped"] == []
    for section in results["sections"]:  # every case measured a positive time or size
        assert section["rows"] and all(row["value"] > 0 for row in section["rows"]), section
    out = capsys.readouterr().out
    assert "Transition, SQLite" in out
    peers_table_printed = "| django-fsm-2 + django-fsm-log |" in out
    assert peers_table_printed == (not peers.missing())


def test_without_the_bench_extra_the_peers_are_skipped_with_the_reason(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(peers, "missing", lambda: ["django-fsm-2", "python-statemachine"])
    assert main(["--smoke", "--only", "peers", "--out", str(tmp_path)]) == 0
    results = json.loads((tmp_path / "latest.json").read_text())
    assert results["sections"] == []
    reason = ('peers skipped: django-fsm-2, python-statemachine not installed '
              '(pip install -e ".[bench]" installs the peers)')
    assert results["skipped"] == [reason]
    assert f"- **Skipped**: {reason}" in (tmp_path / "latest.md").read_text()


def test_a_peer_that_did_not_write_its_history_is_caught(tmp_path) -> None:
    raw = Raw(sqlite3.connect(tmp_path / "peers.db", isolation_level=None), postgres=False)
    raw.execute("CREATE TABLE peer_docs (id INTEGER PRIMARY KEY, state TEXT, version INTEGER)")
    raw.execute("CREATE TABLE peer_history (id INTEGER PRIMARY KEY, doc_id INTEGER, trigger TEXT, "
                "source TEXT, target TEXT, actor_id INTEGER, at TEXT)")
    raw.execute("INSERT INTO peer_docs VALUES (1, 'assigned', 1)")
    floor = RawDriverFloor(raw, 1, actor_id=7)
    floor(), floor(), floor()
    floor.prove(raw)  # state and three history rows read back
    assert raw.query("SELECT state, version FROM peer_docs") == [("extension_requested", 4)]
    raw.execute("DELETE FROM peer_history WHERE id = 2")
    with pytest.raises(RuntimeError, match="2 history rows, expected 'extension_requested' and 3"):
        floor.prove(raw)
    raw.close()


def test_a_kept_world_is_generated_once_then_copied_in_unchanged(tmp_path) -> None:
    """--world: the first run generates the SQLite bulk world and keeps it; the second copies it in
    (the same findings, events and generation time, said so) and the import case, which writes,
    leaves the kept file as it was."""
    kept = tmp_path / "kept"

    def run(out: str) -> dict:
        argv = ["--smoke", "--only", "import", "--world", str(kept), "--out", str(tmp_path / out)]
        assert main(argv) == 0
        sections = json.loads((tmp_path / out / "latest.json").read_text())["sections"]
        return next(s for s in sections if s["key"] == "bulk_sqlite")

    first = run("one")
    database = kept / "sqlite-200.db"
    with sqlite3.connect(database) as conn:
        findings = conn.execute("SELECT count(*) FROM findings").fetchone()[0]
    conn.close()
    assert findings == 200 and (kept / "sqlite-200.pickle").is_file()
    assert not any("kept in" in note for note in first["notes"])
    second = run("two")
    assert second["rows"][0] == first["rows"][0]  # the generation's row and time, not a new one
    # the tallies, not kept with the world, are built on each copy (timed)
    assert [row["case"] for row in second["rows"][1:]] == [
        "build the statistics' tallies (services.tallies)"]
    assert any(f"the world kept in {kept}" in note for note in second["notes"])
    with sqlite3.connect(database) as conn:  # the import wrote into the copy only
        assert conn.execute("SELECT count(*) FROM findings").fetchone()[0] == findings
    conn.close()
