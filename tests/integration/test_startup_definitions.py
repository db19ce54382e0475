"""The app (create_app and `rectify serve`) refuses to start while findings run on a definition
that does not load (file removed or changed), naming each; before, every such finding answered
404 as if it did not exist."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask

from web import create_app
from web.cli import engine
from workflow.errors import DefinitionError
from workflow.runtime import Rectify


def _definitions(tmp_path: Path, source: Path, change: str) -> Path:
    folder = tmp_path / "definitions"
    shutil.copytree(source, folder)
    standard = folder / "standard.v3.yaml"  # the version new findings start on
    if change == "removed":
        standard.unlink()
    else:
        standard.write_text(standard.read_text(encoding="utf-8").replace(
            "zh: 交办\n", "zh: 交办任务\n", 1), encoding="utf-8")
    return folder


@pytest.mark.parametrize("change", ["removed", "changed"])
def test_create_app_refuses_to_start_naming_the_definitions(change, database_url, tmp_path,
                                                            flow, clock):
    flow.raise_("standard")
    flow.raise_("standard")
    flow.raise_("suggestion", by=flow.org.supervisor, unit=flow.org.group_b.id)
    settings = flow.app.settings.__class__(
        database_url=database_url, instance_path=tmp_path / "instance",
        definitions_path=_definitions(tmp_path, flow.app.settings.definitions_path, change))
    moved = Rectify(settings, clock=clock)
    try:
        with pytest.raises(DefinitionError) as refused:
            create_app({"RECTIFY": moved, "TESTING": True})
    finally:
        moved.database.dispose()
    message = str(refused.value)
    assert "standard@3" in message and "2 finding(s)" in message
    assert "suggestion" not in message  # only what does not load is named
    assert create_app({"RECTIFY": flow.app, "TESTING": True})  # the shipped files load


def test_serve_refuses_to_start_naming_the_definitions(database_url, tmp_path, flow,
                                                       monkeypatch):
    monkeypatch.setattr(Flask, "run", lambda *args, **kwargs: pytest.fail("it served"))
    flow.raise_("standard")
    env = {"RECTIFY_DATABASE_URL": database_url, "RECTIFY_INSTANCE_PATH": str(tmp_path / "i"),
           "RECTIFY_DEFINITIONS": str(_definitions(
               tmp_path, flow.app.settings.definitions_path, "removed"))}
    result = CliRunner().invoke(engine, ["serve", "--port", "1"], env=env)
    assert result.exit_code == 1, result.output
    assert "not starting" in result.output and "standard@3" in result.output
