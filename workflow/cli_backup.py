"""`rectify backup PATH`: a consistent copy of the live database (SQLite), or pg_dump (PostgreSQL)."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

import click
from sqlalchemy import text

from workflow.backup import backup_sqlite, pg_commands, pg_dump_available, sqlite_file
from workflow.cli_support import initialised_rectify
from workflow.errors import InvalidInput


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Copy the database to PATH while the app runs. SQLite: the online backup API, one
    consistent snapshot in a new file. PostgreSQL: runs pg_dump (custom format) if it is
    installed, else prints the command; prints the pg_restore command either way. Evidence
    files are not in the database: copy the instance's attachments folder too."""
    rectify = initialised_rectify()
    url = rectify.database.engine.url
    source = sqlite_file(url)
    if source is not None:
        try:
            size = backup_sqlite(source, path)
        except InvalidInput as exc:
            raise click.BadParameter(exc.errors["path"]["en"], param_hint="PATH") from None
        click.echo(f"backed up {source} to {path} ({size} bytes); restore: stop the app, copy "
                   f"it back over {source} (remove {source.name}-wal and -shm), run 'rectify "
                   f"verify'")
        return
    if url.get_backend_name() != "postgresql":
        raise click.ClickException(f"no backup for {url.get_backend_name()} databases")
    with rectify.database.engine.connect() as conn:
        schema = str(conn.scalar(text("SELECT current_schema()")))
    commands = pg_commands(url, path, schema)
    if not pg_dump_available():
        click.echo("pg_dump is not installed here; run it where it is:")
        click.echo("  " + shlex.join(commands.dump))
    else:
        done = subprocess.run(commands.dump, check=False)
        if done.returncode != 0:
            raise click.ClickException(f"pg_dump failed (exit {done.returncode})")
        click.echo(f"backed up with pg_dump to {path}")
    click.echo("restore into an empty database, then run 'rectify verify':")
    click.echo("  " + shlex.join(commands.restore))
