"""Database helpers shared by the conftest and by test modules (which cannot import the
conftest: pytest loads several modules named `conftest`, one per test folder)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, create_engine, make_url, text

from workflow.config import REPO_ROOT, Settings
from workflow.models import Base

DEFINITIONS = REPO_ROOT / "definitions"
POSTGRES_ENV = "RECTIFY_TEST_POSTGRES_URL"
POSTGRES_SKIP = f"PostgreSQL: {POSTGRES_ENV} not set"


def with_search_path(url: str, schema: str) -> str:
    """The URL, connecting with search_path set to schema (libpq 'options').

    Commits don't wait for the disk (synchronous_commit=off): a crash loses test data only,
    and the tests run several times faster. Isolation and locking are unchanged.
    """
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    options = f"-csearch_path={schema} -csynchronous_commit=off"
    parsed = parsed.update_query_dict({"options": options})
    return parsed.render_as_string(hide_password=False)


def _outside_the_models(name: str | None, type_: str, parent_names: Any) -> bool:
    """Migration 0009's FTS5 tables and expression indexes, and 0014's, 0015's and 0019's, live
    outside the models."""
    return not (name or "").startswith(("findings_grams", "ix_findings_grams",
                                        "ix_findings_due_order", "ix_findings_todo_due",
                                        "ix_findings_todo_unit",
                                        "ix_units_grams", "ix_users_grams", "ix_letters_grams"))


def index_definition(connection: Connection, name: str) -> str:
    """How the database says the index was created (SQLite: its sql; PostgreSQL: indexdef)."""
    query = ("SELECT sql FROM sqlite_master WHERE name = :name"
             if connection.dialect.name == "sqlite" else
             "SELECT indexdef FROM pg_indexes WHERE indexname = :name"
             " AND schemaname = current_schema()")
    return str(connection.execute(text(query), {"name": name}).scalar_one())


def schema_differences(connection: Connection) -> list[Any]:
    """What Alembic's autogenerate sees between the database and the models (empty: they match)."""
    context = MigrationContext.configure(connection, opts={
        "compare_type": True, "compare_server_default": True, "include_name": _outside_the_models})
    return list(compare_metadata(context, Base.metadata))


def make_settings(database_url: str, instance_path: Path) -> Settings:
    return Settings(database_url=database_url, instance_path=instance_path,
                    definitions_path=DEFINITIONS)


@contextmanager
def empty_schema(prefix: str) -> Iterator[tuple[str, str]]:
    """(URL, name) of a new, empty schema on the server in RECTIFY_TEST_POSTGRES_URL (the test
    skips, naming PostgreSQL, without one), dropped with everything in it afterwards."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(POSTGRES_SKIP)
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(with_search_path(base, "public"))  # psycopg 3 driver
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    try:
        yield with_search_path(base, name), name
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()


def standard_v2_definitions(folder: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    """A definitions folder with standard v1 as shipped and a v2: v1 as changed by `change`
    (given the parsed YAML with its version already 2)."""
    folder.mkdir()
    text = (DEFINITIONS / "standard.v1.yaml").read_text(encoding="utf-8")
    (folder / "standard.v1.yaml").write_text(text, encoding="utf-8")
    data = yaml.safe_load(text)
    data["version"] = 2
    change(data)
    (folder / "standard.v2.yaml").write_text(yaml.safe_dump(data, allow_unicode=True),
                                             encoding="utf-8")
    return folder


def _report_unrecorded(data: dict[str, Any]) -> None:
    for transition in data["transitions"]:
        if transition["trigger"] == "report_rectification":
            transition["effects"] = []


def rectify_with_unrecorded_report(rectify: Any, folder: Path) -> Any:
    """Another Rectify on the same database and clock whose standard v2 is v1 with a report that
    no longer records the rectification (record_rectified_at): a migration to it changes what
    a finding's earlier events mean. The caller disposes of its database."""
    from workflow.runtime import Rectify
    from workflow.spec import load_registry

    definitions = standard_v2_definitions(folder, _report_unrecorded)
    return Rectify(Settings(database_url=rectify.settings.database_url,
                            instance_path=rectify.settings.instance_path,
                            definitions_path=definitions),
                   clock=rectify.clock, registry=load_registry(definitions))
