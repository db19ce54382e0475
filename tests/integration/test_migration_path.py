"""Every Alembic revision upgrades from the one before and downgrades back, on SQLite and
PostgreSQL, in a database of its own: from empty to the head, one step at a time, ends with the
schema the models declare (a site may upgrade from any release)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from db_support import empty_schema, schema_differences
from sqlalchemy import inspect

from workflow.db import Database, alembic_config


def revisions_in_order(url: str) -> list[str]:
    script = ScriptDirectory.from_config(alembic_config(url))
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


@pytest.fixture
def empty_database(backend: str, tmp_path: Path) -> Iterator[Database]:
    """A database with no table at all (PostgreSQL: a schema created here and dropped after)."""
    if backend == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'empty.db'}")
        yield database
        database.dispose()
        return
    with empty_schema("rectify_path") as (url, _name):
        database = Database(url)
        try:
            yield database
        finally:
            database.dispose()


def current(database: Database) -> str | None:
    with database.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_each_revision_upgrades_from_the_one_before_and_back(empty_database: Database) -> None:
    chain = revisions_in_order(empty_database.url)
    assert chain[0].startswith("0001") and len(chain) >= 8
    previous: str | None = None
    for revision in chain:
        empty_database.upgrade(revision)
        assert current(empty_database) == revision
        empty_database.downgrade(previous or "base")  # and back, then forward again
        assert current(empty_database) == previous
        empty_database.upgrade(revision)
        previous = revision
    with empty_database.engine.connect() as conn:
        assert schema_differences(conn) == []
    empty_database.downgrade("base")
    assert set(inspect(empty_database.engine).get_table_names()) <= {"alembic_version"}
