"""Backing up the database while the app runs: SQLite's online backup API, or pg_dump's
commands for PostgreSQL."""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import URL, make_url

from workflow.errors import InvalidInput


def _error(en: str, zh: str) -> InvalidInput:
    return InvalidInput({"path": {"en": en, "zh": zh}})


def sqlite_file(url: str | URL) -> Path | None:
    """The database file of a SQLite URL (None: not SQLite, or in memory)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(str(parsed.database))


def backup_sqlite(source: Path, target: Path) -> int:
    """Copy the live database into a new file at target, in one step of the online backup API:
    a consistent snapshot of what was committed when it began (WAL: writers carry on). The copy
    is written beside target and renamed into place, so target is never a half-written file.
    Returns the size in bytes."""
    if target.exists():
        raise _error(f"The file {target} already exists. Give a new file name.",
                     f"文件 {target} 已存在，请另取文件名。")
    if not target.parent.is_dir():
        raise _error(f"The folder {target.parent} does not exist.", f"文件夹 {target.parent} 不存在。")
    partial = target.with_name(f".{target.name}.partial")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(partial)
    try:
        src.backup(dst, pages=-1)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        dst.close()
        src.close()
    os.replace(partial, target)
    return target.stat().st_size


@dataclass(frozen=True)
class PgCommands:
    """How to dump and restore a PostgreSQL database (custom format, what pg_restore reads)."""

    dump: list[str]
    restore: list[str]


def pg_commands(url: str | URL, target: Path, schema: str = "public") -> PgCommands:
    """pg_dump and pg_restore command lines for the database at url (libpq's own URL form:
    no driver name; the password, if any, from the URL or ~/.pgpass); Rectify's tables live in
    one schema: a schema other than public (set by the URL's search_path) is the one dumped."""
    libpq = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    only = [] if schema == "public" else [f"--schema={schema}"]
    dump = ["pg_dump", "--format=custom", "--no-owner", *only, f"--file={target}",
            f"--dbname={libpq}"]
    restore = ["pg_restore", "--no-owner", "--clean", "--if-exists", "--exit-on-error",
               f"--dbname={libpq}", str(target)]
    return PgCommands(dump, restore)


def pg_dump_available() -> bool:
    return shutil.which("pg_dump") is not None
