"""The unit kinds file: the shipped one loads (with 职能部门), RECTIFY_UNIT_KINDS points at
another, and a bad file is refused naming the file and the YAML path of every problem."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from workflow.cli import engine
from workflow.config import REPO_ROOT, SHIPPED_UNIT_KINDS, Settings
from workflow.errors import UnitKindsError
from workflow.spec import load_registry
from workflow.unit_kinds import load_unit_kinds, unit_kinds_problems


def _kind(key: str, zh: str = "局", en: str = "Bureau", inspects: bool = False) -> dict[str, Any]:
    return {"key": key, "zh": zh, "en": en, "inspects": inspects}


GOOD = [_kind("commission", "纪委监委", "Commission", True), _kind("bureau")]


def test_the_shipped_file_declares_six_kinds_two_of_which_inspect() -> None:
    kinds = load_unit_kinds(SHIPPED_UNIT_KINDS)
    assert kinds.keys() == ("commission", "inspection_body", "department", "group",
                            "subsidiary", "site")
    assert kinds.inspecting == {"commission", "inspection_body"}
    assert (kinds.label("department", "zh"), kinds.label("department", "en")) == (
        "职能部门", "Government department")
    assert kinds.label("retired_kind", "en") == "retired_kind"  # undeclared: the raw key
    assert [c.value for c in kinds.choices()] == list(kinds.keys())


def test_the_definitions_folder_loads_without_taking_the_kinds_file_for_a_lifecycle() -> None:
    assert (REPO_ROOT / "definitions" / "unit_kinds.yaml").is_file()
    lifecycle_files = [p for p in (REPO_ROOT / "definitions").glob("*.yaml")
                       if p.name != "unit_kinds.yaml"]
    assert len(load_registry(REPO_ROOT / "definitions").all()) == len(lifecycle_files)


def test_the_setting_points_at_another_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             write_yaml: Callable[..., Path]) -> None:
    assert Settings.from_env().unit_kinds_path == SHIPPED_UNIT_KINDS
    path = write_yaml({"kinds": GOOD}, name="ours.yaml")
    monkeypatch.setenv("RECTIFY_UNIT_KINDS", str(path))
    assert Settings.from_env().unit_kinds_path == path
    assert load_unit_kinds(path).keys() == ("commission", "bureau")


@pytest.mark.parametrize(("kinds", "problem"), [
    ([GOOD[0], {"key": "bureau", "en": "Bureau"}], "unit_kinds.yaml: kinds[1].zh: missing"),
    ([GOOD[0], {**GOOD[1], "zh": ""}], "unit_kinds.yaml: kinds[1].zh: length must be between 1 and 100"),
    ([*GOOD, _kind("bureau", "分局")], "unit_kinds.yaml: kinds[2].key: 'bureau' is also kinds[1]"),
    ([GOOD[0], _kind("Bureau-1")],
     "unit_kinds.yaml: kinds[1].key: must be lower_snake_case letters, digits and _"),
    ([GOOD[0], _kind("b" * 33)], "unit_kinds.yaml: kinds[1].key: longer than maximum length 32"),
    ([{**GOOD[0], "inspects": False}, GOOD[1]],
     "unit_kinds.yaml: kinds: no kind inspects: mark the bodies that organise campaigns and "
     "raise findings with inspects: true"),
    ([{**GOOD[0], "colour": "red"}, GOOD[1]], "unit_kinds.yaml: kinds[0].colour: unknown field"),
    ([], "unit_kinds.yaml: kinds: declare at least one kind"),
])
def test_a_bad_file_names_the_file_and_the_yaml_path(kinds: list[Any], problem: str,
                                                     write_yaml: Callable[..., Path]) -> None:
    path = write_yaml({"kinds": kinds}, name="unit_kinds.yaml")
    with pytest.raises(UnitKindsError) as refused:
        load_unit_kinds(path)
    assert refused.value.problems == [problem]


@pytest.mark.parametrize(("text", "problem"), [
    ("- commission\n", "unit_kinds.yaml: (root): expected a mapping with a list of kinds"),
    ("{}\n", "unit_kinds.yaml: kinds: missing"),
    ("kinds: []\nkinds: []\n", "unit_kinds.yaml: line 2 column 1: duplicate key 'kinds'"),
])
def test_a_file_of_the_wrong_shape_is_refused(text: str, problem: str,
                                              write_yaml: Callable[..., Path]) -> None:
    assert unit_kinds_problems(write_yaml(text=text, name="unit_kinds.yaml")) == (None, [problem])


def test_every_problem_is_listed_at_once(write_yaml: Callable[..., Path]) -> None:
    path = write_yaml({"kinds": [_kind("x"), {"key": "x", "en": "X"}]}, name="unit_kinds.yaml")
    assert unit_kinds_problems(path)[1] == ["unit_kinds.yaml: kinds[1].zh: missing"]
    path = write_yaml({"kinds": [_kind("x"), _kind("x")]}, name="unit_kinds.yaml")
    assert unit_kinds_problems(path)[1] == [
        "unit_kinds.yaml: kinds[1].key: 'x' is also kinds[0]",
        "unit_kinds.yaml: kinds: no kind inspects: mark the bodies that organise campaigns and "
        "raise findings with inspects: true"]


def test_lint_checks_the_kinds_file_of_a_folder_and_the_configured_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write_yaml: Callable[..., Path]) -> None:
    write_yaml({"kinds": [GOOD[0], {"key": "bureau"}]}, name="unit_kinds.yaml")
    result = CliRunner().invoke(engine, ["lint", str(tmp_path)])
    assert result.exit_code == 1
    assert sorted(result.stdout.splitlines()) == ["unit_kinds.yaml: kinds[1].en: missing",
                                                  "unit_kinds.yaml: kinds[1].zh: missing"]
    ours = write_yaml({"kinds": GOOD}, name="ours.yaml")
    monkeypatch.setenv("RECTIFY_UNIT_KINDS", str(ours))
    monkeypatch.setenv("RECTIFY_DEFINITIONS", str(REPO_ROOT / "definitions"))
    result = CliRunner().invoke(engine, ["lint"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-2:] == [
        "ok unit kinds (unit_kinds.yaml): commission, inspection_body, department, group, "
        "subsidiary, site; inspecting: commission, inspection_body",
        "ok unit kinds (ours.yaml): commission, bureau; inspecting: commission"]
