"""The benchmark suite still runs (tiny sizes, SQLite and PostgreSQL): it cannot rot unnoticed."""

from __future__ import annotations

import json
import os

from benchmarks.suite import main
from tests.conftest import POSTGRES_ENV


def test_every_benchmark_runs_and_reports_each_case(tmp_path, capsys) -> None:
    argv = ["--smoke", "--out", str(tmp_path)]
    if os.environ.get(POSTGRES_ENV):
        argv += ["--postgres", os.environ[POSTGRES_ENV]]
    assert main(argv) == 0
    results = json.loads((tmp_path / "latest.json").read_text())
    keys = {section["key"] for section in results["sections"]}
    bulk = {"bulk", "dashboard_tree", "dashboard_group", "export", "export_memory", "import",
            "as_of"}
    assert {"transition_sqlite", "machine", "memory", "ledger_sqlite", "tick_sqlite"} <= keys
    assert {f"{case}_sqlite" for case in bulk} <= keys
    if os.environ.get(POSTGRES_ENV):
        assert {"transition_postgresql", "ledger_postgresql", "tick_postgresql"} <= keys
        assert {f"{case}_postgresql" for case in bulk} <= keys
    for section in results["sections"]:  # every case measured a positive time or size
        assert section["rows"] and all(row["value"] > 0 for row in section["rows"]), section
    assert "Transition, SQLite" in capsys.readouterr().out

