"""Engine and session factory, the unit of work, SQLite pragmas and the Alembic hook."""

from __future__ import annotations

import select
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, exc, inspect
from sqlalchemy.orm import Session, sessionmaker

from workflow.grams import register as register_grams

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_WRITE = "rectify_write"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine; on SQLite: WAL, foreign keys, busy timeout, BEGIN IMMEDIATE for writers."""
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": 30})
        engine = create_engine(url, **kwargs)
        _sqlite_setup(engine)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    engine = create_engine(url, **kwargs)
    if not kwargs.get("pool_pre_ping"):
        event.listen(engine, "checkout", _drop_if_closed_by_server)
    event.listen(engine, "connect", _without_jit)
    return engine


def _without_jit(dbapi_connection: Any, record: Any) -> None:
    """PostgreSQL's JIT off for the app's connections: its reads are short, and compiling a
    long WHERE clause cost seconds (My work as a province supervisor at 100,000 findings:
    14.3 s of JIT for a query that runs in 1.1 s without it)."""
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    dbapi_connection.commit()


def _drop_if_closed_by_server(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    """Instead of pool_pre_ping's round trip on every checkout: an idle connection has nothing
    to read unless the server closed it (restart, pg_terminate_backend, idle timeout), so a
    readable socket makes the pool discard it and connect afresh. A connection that dies
    silently still fails its first statement, and SQLAlchemy then invalidates the pool."""
    fileno = getattr(dbapi_connection, "fileno", None)
    if fileno is not None and _readable(fileno()):
        raise exc.DisconnectionError("the server closed this pooled connection")


def _readable(fd: int) -> bool:
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(fd, select.POLLIN | select.POLLPRI)
        return bool(poller.poll(0))
    return bool(select.select([fd], [], [], 0)[0])  # pragma: no cover - Windows has no poll


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
        register_grams(dbapi_connection)  # the search index's triggers call it

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A writer takes the write lock up front, so it reads what it will update
        # and never fails half-way with a stale snapshot.
        write = conn.get_execution_options().get(_WRITE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


class Database:
    """One engine and its two session factories (read, write); built once per process."""

    def __init__(self, url: str, **kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **kwargs)
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(
            self.engine.execution_options(**{_WRITE: True}), expire_on_commit=False
        )

    def session(self, write: bool = False) -> Session:
        return (self._write if write else self._read)()

    def upgrade(self, revision: str = "head") -> None:
        """Bring the schema to the newest (or the given) Alembic revision."""
        self._migrate(command.upgrade, revision)

    def downgrade(self, revision: str) -> None:
        """Take the schema back to an older revision (for tests of upgrades with data)."""
        self._migrate(command.downgrade, revision)

    def _migrate(self, step: Any, revision: str) -> None:
        """One transaction. On SQLite a column change rebuilds the table (copy, drop, rename),
        which foreign keys would refuse while other tables point at it: they are off for the
        migration (the pragma only works outside a transaction) and checked before commit."""
        sqlite = self.engine.dialect.name == "sqlite"
        with self.engine.connect() as connection:
            raw = connection.connection.driver_connection
            if sqlite:
                raw.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
            try:
                with connection.begin():
                    cfg = alembic_config(self.url)
                    cfg.attributes["connection"] = connection
                    step(cfg, revision)
                    if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
                        raise RuntimeError("the migration left rows pointing at nothing")
            finally:
                if sqlite:
                    raw.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]

    def is_initialised(self) -> bool:
        """Whether the schema exists (Alembic has run here)."""
        return inspect(self.engine).has_table("alembic_version")

    def analyze(self) -> None:
        """Refresh the planner's statistics (SQLite has none until asked; PostgreSQL autovacuums)."""
        if self.engine.dialect.name == "sqlite":
            with self.engine.begin() as connection:
                connection.exec_driver_sql("ANALYZE")

    def dispose(self) -> None:
        self.engine.dispose()


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg
