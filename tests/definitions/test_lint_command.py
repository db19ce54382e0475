"""`rectify lint`: one ok line per lifecycle, or every problem of every file and exit 1."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from workflow.cli import engine


def _lint(*args: str) -> Any:
    return CliRunner().invoke(engine, ["lint", *args])


def test_shipped_definitions_lint_clean(definitions_dir: Path) -> None:
    result = _lint(str(definitions_dir))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "ok escalation@1: 7 states (2 final), 9 transitions, initial 'raised' — "
        "Escalation and coordination",
        "ok escalation@2: 7 states (2 final), 11 transitions, initial 'raised' — "
        "Escalation and coordination",
        "ok escalation@3: 7 states (2 final), 14 transitions, initial 'raised' — "
        "Escalation and coordination",
        "ok immediate@1: 4 states (2 final), 4 transitions, initial 'raised' — Immediate rectification",
        "ok immediate@2: 4 states (2 final), 4 transitions, initial 'raised' — Immediate rectification",
        "ok standard@1: 8 states (3 final), 11 transitions, initial 'raised' — Standard finding",
        "ok standard@2: 9 states (3 final), 17 transitions, initial 'raised' — Standard finding",
        "ok standard@3: 9 states (3 final), 20 transitions, initial 'raised' — Standard finding",
        "ok suggestion@1: 5 states (3 final), 4 transitions, initial 'proposed' — Suggestion",
        "ok suggestion@2: 5 states (3 final), 4 transitions, initial 'proposed' — Suggestion",
        "ok unit kinds (unit_kinds.yaml): commission, inspection_body, department, group, "
        "subsidiary, site; inspecting: commission, inspection_body",
    ]


def test_single_file(definitions_dir: Path) -> None:
    result = _lint(str(definitions_dir / "standard.v1.yaml"))
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 1
    assert result.stdout.startswith("ok standard@1: ")


def test_without_arguments_lints_the_configured_directory(
        definitions_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECTIFY_DEFINITIONS", str(definitions_dir))
    result = _lint()
    assert result.exit_code == 0
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == [
        "ok escalation@1", "ok escalation@2", "ok escalation@3", "ok immediate@1", "ok immediate@2",
        "ok standard@1", "ok standard@2", "ok standard@3", "ok suggestion@1",
        "ok suggestion@2", "ok unit kinds (unit_kinds.yaml)",
    ]


def test_every_problem_of_every_file_is_printed(
        tmp_path: Path, minimal: dict[str, Any], write_yaml: Callable[..., Path]) -> None:
    write_yaml(minimal, name="good.yaml")
    write_yaml(text="name: x\nname: y\n", name="a_dup.yaml")
    bad_roles = {**minimal, "name": "roles", "raise_roles": ["auditer", "clerk"]}
    write_yaml(bad_roles, name="b_roles.yml")
    write_yaml({**minimal, "name": "versioned", "version": "1", "colour": 1}, name="c_shape.yaml")
    result = _lint(str(tmp_path))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "a_dup.yaml: line 2 column 1: duplicate key 'name'",
        "b_roles.yml: raise_roles[0]: unknown role 'auditer'",
        "b_roles.yml: raise_roles[1]: unknown role 'clerk'",
        "c_shape.yaml: version: not a valid integer",
        "c_shape.yaml: colour: unknown field",
    ]
    assert "ok " not in result.output


def test_missing_path_exits_1(tmp_path: Path, definitions_dir: Path) -> None:
    missing = tmp_path / "nope"
    result = _lint(str(definitions_dir), str(missing))
    assert result.exit_code == 1
    assert result.stderr == f"{missing}: no such file or directory\n"


def test_empty_directory_exits_1(tmp_path: Path) -> None:
    result = _lint(str(tmp_path))
    assert result.exit_code == 1
    assert result.stdout == "no definition files found\n"


def test_conflicting_versions_exit_1(
        tmp_path: Path, minimal: dict[str, Any], write_yaml: Callable[..., Path]) -> None:
    write_yaml(minimal, name="a.yaml")
    write_yaml({**minimal, "initial": "open", "title": {"zh": "改", "en": "Changed"}}, name="b.yaml")
    result = _lint(str(tmp_path))
    assert result.exit_code == 1
    assert result.stdout == "b.yaml: version: mini@1 is also defined, differently, in a.yaml\n"
