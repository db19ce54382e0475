"""What a run works on: a migrated database (SQLite file or PostgreSQL schema), a Rectify, an org."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import make_url

from workflow.config import REPO_ROOT, Settings
from workflow.models import Unit, User
from workflow.runtime import Rectify
from workflow.services.accounts import create_user
from workflow.services.directory import create_unit
from workflow.services.light import today_cutoff
from workflow.services.tallies import TallyReport, keep_tallies
from workflow.spec import Registry

# Like workflow.db: WAL, foreign keys, busy timeout, synchronous=NORMAL.
SQLITE_PRAGMAS = ("journal_mode=WAL", "foreign_keys=ON", "busy_timeout=30000", "synchronous=NORMAL")
# The PostgreSQL analogue of SQLite's WAL + synchronous=NORMAL: a crash may lose the last commits.
PG_OPTIONS = "-csearch_path={schema} -csynchronous_commit=off"


class Raw:
    """A plain DB-API connection (sqlite3 or psycopg) taking '?' placeholders on both."""

    def __init__(self, conn: Any, postgres: bool) -> None:
        self.conn, self.postgres = conn, postgres
        self.statements = 0  # sent through execute(), BEGIN included; COMMIT/ROLLBACK are not counted

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        self.statements += 1
        return self.conn.execute(sql.replace("?", "%s") if self.postgres else sql, params)

    def begin(self) -> None:
        """Take the write lock up front on SQLite, as the engine does; psycopg begins implicitly."""
        if not self.postgres:
            self.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        if self.postgres:
            self.conn.commit()
        else:
            self.conn.execute("COMMIT")

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        """Rows of one read, its transaction ended."""
        rows = self.execute(sql, params).fetchall()
        if self.postgres:
            self.conn.rollback()
        return list(rows)

    def stamp(self, moment: datetime) -> str:
        """A UTC time as each backend's column stores it (SQLite: naive text)."""
        text = moment.strftime("%Y-%m-%d %H:%M:%S.%f")
        return text + "+00:00" if self.postgres else text

    def close(self) -> None:
        self.conn.close()


@dataclass
class Target:
    """One backend for a run: the engine's URL and a way to open a raw connection to it."""

    label: str
    url: str
    connect: Any  # () -> Raw
    server: str = ""


@contextmanager
def sqlite_target(folder: Path) -> Iterator[Target]:
    path = folder / "bench.db"

    def connect() -> Raw:
        conn = sqlite3.connect(path, isolation_level=None, timeout=30)
        for pragma in SQLITE_PRAGMAS:
            conn.execute(f"PRAGMA {pragma}")
        return Raw(conn, postgres=False)

    yield Target("SQLite", f"sqlite:///{path}", connect)


@contextmanager
def postgres_target(base_url: str) -> Iterator[Target]:
    """A schema of its own, created here and dropped on leaving."""
    url = make_url(base_url)
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    schema = f"rectify_bench_{uuid.uuid4().hex[:10]}"
    options = PG_OPTIONS.format(schema=schema)
    with psycopg.connect(conninfo, autocommit=True) as admin:
        row = admin.execute("SHOW server_version").fetchone()
        server = str(row[0]).split()[0] if row else "?"
        admin.execute(f'CREATE SCHEMA "{schema}"')
        try:
            engine_url = url.set(drivername="postgresql+psycopg").update_query_dict({"options": options})
            yield Target("PostgreSQL", engine_url.render_as_string(hide_password=False),
                         lambda: Raw(psycopg.connect(conninfo, options=options), postgres=True),
                         server)
        finally:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


# ANALYZE of this schema's tables only: a database-wide ANALYZE in one transaction holds each
# table's lock until it ends, and deadlocked with the tests' TRUNCATE of their own schemas
SCHEMA_TABLES = ("SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = current_schema() "
                 "ORDER BY tablename")
ANALYZE_SCHEMA = (f"DO $$ DECLARE t text; BEGIN FOR t IN {SCHEMA_TABLES} "
                  "LOOP EXECUTE 'ANALYZE ' || t; END LOOP; END $$")


def analyze_sql(postgres: bool) -> str:
    """The statement refreshing the planner's statistics of the benchmark's own tables."""
    return ANALYZE_SCHEMA if postgres else "ANALYZE"


def start(target: Target, folder: Path, registry: Registry, tallies: bool = True) -> Rectify:
    """A Rectify on the target, its schema migrated to the Alembic head; with tallies, the
    statistics' tallies built (as the scheduler's first tick does), so that every write keeps
    them from then on, as in a running deployment (bulk worlds build them once written)."""
    instance = folder / f"instance-{target.label.lower()}"
    instance.mkdir(exist_ok=True)
    settings = Settings(database_url=target.url, instance_path=instance,
                        definitions_path=REPO_ROOT / "definitions")
    app = Rectify(settings, registry=registry)
    app.database.upgrade()
    if tallies:
        build_tallies(app)
    return app


def build_tallies(app: Rectify) -> TallyReport:
    """The statistics' tallies built or moved to today (services.tallies), as the tick does."""
    with app.unit_of_work() as uow:
        report = keep_tallies(uow.session, uow.today(), today_cutoff(uow), uow.zone, uow.registry)
        uow.commit()
    return report


@dataclass
class Org:
    """Commission > inspection body > groups A and B; an inspector, a supervisor, A's handler."""

    units: dict[str, Unit]
    users: dict[str, User]


_UNITS = (("commission", "COMM", "commission", None), ("body", "IB", "inspection_body", "commission"),
          ("group_a", "GA", "group", "body"), ("group_b", "GB", "group", "body"))
_USERS = (("inspector", "inspector", "body"), ("supervisor", "supervisor", "commission"),
          ("handler", "handler", "group_a"))


def build_org(app: Rectify) -> Org:
    with app.unit_of_work() as uow:
        units: dict[str, Unit] = {}
        for name, code, kind, parent in _UNITS:
            units[name] = create_unit(uow.session, code, name, name, kind,
                                      units[parent] if parent else None)
        users = {name: create_user(uow.session, name, name, "benchmark-password", [role], units[unit])
                 for name, role, unit in _USERS}
        uow.commit()
    return Org(units, users)
