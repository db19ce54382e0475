"""`rectify bench` runs benchmarks/run.py's main with the command's options, or says why it cannot."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from workflow import cli_bench
from workflow.cli import engine

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture
def passed(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """benchmarks.suite.main replaced by a recorder of the arguments it gets."""
    calls: list[list[str]] = []
    main, cases = cli_bench.suite()
    monkeypatch.setattr(cli_bench, "suite", lambda: (lambda argv: calls.append(argv) or 0, cases))
    return calls


def test_options_become_run_py_arguments(passed: list[list[str]]) -> None:
    result = CliRunner().invoke(engine, ["bench", "--findings", "500", "--db", "sqlite", "--db", PG,
                                         "--only", "peers", "--only", "transition"])
    assert result.exit_code == 0, result.output
    assert passed == [["--findings", "500", "--postgres", PG, "--only", "peers", "--only", "transition"]]
    assert CliRunner().invoke(engine, ["bench", "--db", PG]).exit_code == 0
    assert passed[-1] == ["--findings", "2000", "--no-sqlite", "--postgres", PG]
    assert CliRunner().invoke(engine, ["bench"]).exit_code == 0
    assert passed[-1] == ["--findings", "2000"]
    assert CliRunner().invoke(engine, ["bench", "--world", "/tmp/kept"]).exit_code == 0
    assert passed[-1] == ["--findings", "2000", "--world", "/tmp/kept"]


@pytest.mark.parametrize(("args", "words"), [
    (["--db", "mysql://root@localhost/x"], "Invalid value for --db: give `sqlite` and/or one PostgreSQL"),
    (["--db", PG, "--db", PG + "2"], "Invalid value for --db"),
    (["--only", "peers", "--only", "nonsense"], "Invalid value for --only: unknown case nonsense"),
    (["--findings", "0"], "Invalid value for '--findings'"),
])
def test_bad_options_name_the_option_and_run_nothing(passed: list[list[str]], args: list[str],
                                                     words: str) -> None:
    result = CliRunner().invoke(engine, ["bench", *args])
    assert result.exit_code == 2
    assert words in result.output
    assert passed == []


def test_without_the_repository_the_command_says_where_the_benchmarks_are(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    real = cli_bench.suite
    monkeypatch.setattr(cli_bench, "suite", lambda: real(tmp_path))  # as installed from a wheel
    result = CliRunner().invoke(engine, ["bench", "--only", "machine"])
    assert result.exit_code == 1
    assert "the benchmarks are not installed" in result.output
    assert str(tmp_path / "benchmarks" / "suite.py") in result.output
    assert "Traceback" not in result.output


def test_a_real_run_writes_the_dated_results(tmp_path: Path) -> None:
    result = CliRunner().invoke(engine, ["bench", "--only", "machine", "--findings", "50",
                                         "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "State machine alone" in result.output
    data: dict[str, Any] = json.loads((tmp_path / "latest.json").read_text())
    assert [s["key"] for s in data["sections"]] == ["machine"]
    (dated,) = tmp_path.glob("*-sqlite-50.md")
    assert dated.read_text().startswith("# Benchmark run, 50 findings")
