"""Fixtures for unit tests (no database): the shipped lifecycles."""

from __future__ import annotations

from pathlib import Path

import pytest

from workflow.spec import Registry, load_registry

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def registry() -> Registry:
    return load_registry(REPO / "definitions")
