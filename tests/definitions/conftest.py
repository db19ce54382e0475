"""Fixtures for definition tests: the shipped registry and a minimal valid lifecycle to break."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from workflow.spec.loader import load_file

DEFINITIONS = Path(__file__).resolve().parents[2] / "definitions"

# The smallest lifecycle that passes every check; each lint test breaks one thing in a copy.
MINIMAL: dict[str, Any] = {
    "name": "mini",
    "version": 1,
    "title": {"zh": "小流程", "en": "Mini"},
    "raise_roles": ["inspector"],
    "initial": "open",
    "states": [
        {"name": "open", "zh": "开", "en": "Open"},
        {"name": "done", "zh": "完", "en": "Done", "final": True},
    ],
    "transitions": [
        {
            "trigger": "finish",
            "zh": "完成",
            "en": "Finish",
            "source": "open",
            "dest": "done",
            "roles": ["handler"],
            "fields": [
                {"name": "due", "type": "date", "zh": "期限", "en": "Due"},
                {"name": "note", "type": "text", "zh": "备注", "en": "Note"},
            ],
            "guards": [{"name": "date_after_due_date", "params": {"field": "due"}}],
            "effects": [{"name": "set_requirement", "params": {"field": "note"}}],
        }
    ],
}


@pytest.fixture(scope="session")
def definitions_dir() -> Path:
    return DEFINITIONS


@pytest.fixture
def minimal() -> dict[str, Any]:
    """A fresh deep copy of the minimal valid definition, free to mutate."""
    return copy.deepcopy(MINIMAL)


@pytest.fixture
def write_yaml(tmp_path: Path) -> Callable[..., Path]:
    """Dump a dict (or write raw text) to tmp_path/<name> and return the path."""

    def write(data: Any = None, name: str = "bad.yaml", text: str | None = None) -> Path:
        path = tmp_path / name
        body = text if text is not None else yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        path.write_text(body, encoding="utf-8")
        return path

    return write


@pytest.fixture
def problems_of(write_yaml: Callable[..., Path]) -> Callable[..., list[str]]:
    """Every problem load_file reports for a dict or raw text written as bad.yaml."""

    def problems(data: Any = None, text: str | None = None) -> list[str]:
        lifecycle, found = load_file(write_yaml(data, text=text))
        assert (lifecycle is None) == bool(found)
        return found

    return problems
