"""The engine's command line: init, demo, lint, graph, verify, attachments, ledger (no web code)."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import click
from sqlalchemy import make_url, select

from workflow.catalog import CATEGORIES, SEVERITIES
from workflow.config import Settings
from workflow.errors import DefinitionError, RectifyError, UnknownLifecycle
from workflow.export import spreadsheet_safe
from workflow.models import Finding, Unit, User
from workflow.runtime import Rectify, UnitOfWork
from workflow.services import LedgerFilter, ledger, verify_all
from workflow.services.directory import has_users
from workflow.services.ledger_args import parse_ledger_args
from workflow.services.ledger_rows import COLUMNS, Cell, RowBuilder, row_builder
from workflow.spec import Registry, load_paths, load_registry
from workflow.spec.diagram import mermaid


def make_rectify() -> Rectify:
    """A Rectify from the environment; its connections close when the command ends."""
    settings = Settings.from_env()
    settings.instance_path.mkdir(parents=True, exist_ok=True)
    try:
        rectify = Rectify(settings)
    except DefinitionError as exc:
        raise click.ClickException("invalid definitions:\n" + str(exc)) from None
    context = click.get_current_context(silent=True)
    if context is not None:
        context.call_on_close(rectify.database.dispose)
    return rectify


def initialised_rectify() -> Rectify:
    """make_rectify() for commands that read data: a clear error if there is no schema yet
    (and, for SQLite, no empty database file left behind on a mistyped path)."""
    settings = Settings.from_env()
    url = make_url(settings.database_url)
    missing_file = (url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
                    and not Path(str(url.database)).exists())
    rectify = None if missing_file else make_rectify()
    if rectify is None or not rectify.database.is_initialised():
        raise click.ClickException(
            f"no Rectify database at {url.render_as_string()}: run 'rectify init' (or 'rectify "
            "demo') first, or set RECTIFY_DATABASE_URL / RECTIFY_INSTANCE_PATH to the one you use")
    return rectify


def system_actor() -> User:
    """The operator at the console: sees everything, like an admin; never stored."""
    return User(id=0, username="console", display_name="console", roles="admin", password_hash="")


@click.group()
def engine() -> None:
    """Rectify: track inspection findings until their rectification is confirmed."""


@engine.command()
def init() -> None:
    """Create or upgrade the database schema to the newest version."""
    rectify = make_rectify()
    rectify.database.upgrade()
    rectify.database.analyze()
    click.echo(f"database ready: {rectify.database.engine.url.render_as_string()}")


@engine.command()
def demo() -> None:
    """Load the demo data set (units, users, a campaign, ~60 findings) into an empty database."""
    from workflow.demo import load_demo

    rectify = make_rectify()
    rectify.database.upgrade()
    with rectify.unit_of_work(write=False) as uow:
        if has_users(uow.session):
            raise click.ClickException("the database already has users; demo data goes into an "
                                       "empty database (set RECTIFY_DATABASE_URL or remove it)")
    summary = load_demo(rectify)
    rectify.database.analyze()
    click.echo(summary)


@engine.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def lint(paths: tuple[Path, ...]) -> None:
    """Check definition files; print every problem and exit 1, or one line per lifecycle."""
    targets = list(paths) or [Settings.from_env().definitions_path]
    missing = [p for p in targets if not p.exists()]
    for path in missing:
        click.echo(f"{path}: no such file or directory", err=True)
    lifecycles, problems = load_paths([p for p in targets if p.exists()])
    for problem in problems:
        click.echo(problem)
    if problems or missing or not lifecycles:
        if not problems and not missing:
            click.echo("no definition files found")
        sys.exit(1)
    for lc in sorted(lifecycles, key=lambda x: (x.name, x.version)):
        finals = len(lc.final_states())
        click.echo(f"ok {lc.key}: {len(lc.states)} states ({finals} final), "
                   f"{len(lc.transitions)} transitions, initial '{lc.initial}' — {lc.en}")


@engine.command()
@click.argument("name")
def graph(name: str) -> None:
    """Print a lifecycle as a mermaid state diagram: NAME or NAME@VERSION."""
    registry = _registry()
    lifecycle_name, _, version = name.partition("@")
    try:
        lifecycle = registry.get(lifecycle_name, int(version) if version else None)
    except (UnknownLifecycle, ValueError):
        raise click.ClickException(f"unknown lifecycle {name!r}") from None
    click.echo(mermaid(lifecycle, lang="en"))


@engine.command()
def verify() -> None:
    """Recompute every finding's hash chain and every evidence file's sha256; exit 1 and name
    each break."""
    rectify = initialised_rectify()
    broken = 0
    with rectify.unit_of_work(write=False) as uow:
        for finding, problems in verify_all(uow.session):
            broken += 1
            for problem in problems:
                where = f"event #{problem.seq} (id {problem.event_id})" if problem.seq else "head"
                click.echo(f"{finding.code} {where}: {problem.problem}")
        if broken:
            click.echo(f"FAILED: {broken} finding(s) with a broken chain")
        else:
            click.echo("ok: every finding's event chain verifies")
        bad_files = _verify_files(uow)
    if bad_files:
        click.echo(f"FAILED: {bad_files} evidence file(s) missing or changed")
    else:
        click.echo("ok: every evidence file still matches its sha256")
    if broken or bad_files:
        sys.exit(1)


def _verify_files(uow: UnitOfWork) -> int:
    """Re-hash every stored evidence file (progress bar on stderr); name each bad one."""
    from workflow.services.verify import count_digests, stored_digests, verify_files

    bad = []
    with click.progressbar(stored_digests(uow.session), length=count_digests(uow.session),
                           label="evidence files", file=sys.stderr) as digests:
        bad = list(verify_files(uow.store, digests))
    for digest, problem in bad:
        click.echo(f"evidence {digest} ({uow.store.path_for(digest)}): {problem}")
    return len(bad)


@engine.group()
def attachments() -> None:
    """Evidence files."""


@attachments.command("gc")
@click.option("--older-than", "older_than", default="7d", show_default=True, metavar="AGE",
              help="Only uploads older than this: a number of days (7d) or hours (12h).")
@click.option("--dry-run", is_flag=True, help="List what would be removed; change nothing.")
def attachments_gc(older_than: str, dry_run: bool) -> None:
    """Remove uploads no finding uses (rows, and files no other row shares)."""
    from workflow.services.evidence import remove_unlinked

    age = _age(older_than)
    rectify = initialised_rectify()
    with rectify.unit_of_work() as uow:
        rows = remove_unlinked(uow, uow.now() - age, dry_run)
        for row in rows:
            click.echo(f"{row.sha256} {row.size} bytes {row.original_name!r} "
                       f"uploaded by user {row.uploaded_by_id} at {row.created_at:%Y-%m-%d %H:%M}")
    verb = "would remove" if dry_run else "removed"
    click.echo(f"{verb} {len(rows)} unused upload(s) older than {older_than}")


def _age(text: str) -> timedelta:
    match = re.fullmatch(r"(\d{1,5})([dh])", text.strip())
    if match is None:
        raise click.BadParameter("use a number of days or hours, e.g. 7d or 12h",
                                 param_hint="--older-than")
    amount = int(match.group(1))
    return timedelta(days=amount) if match.group(2) == "d" else timedelta(hours=amount)


@engine.command()
@click.argument("name")
@click.option("--from", "from_version", type=int, required=True, help="Version the findings run on.")
@click.option("--to", "to_version", type=int, required=True, help="Version to move them to.")
@click.option("--map", "mappings", multiple=True, metavar="OLD=NEW",
              help="State renames; other states keep their name.")
@click.option("--actor", "username", required=True, help="Admin username recorded on each event.")
@click.option("--dry-run", is_flag=True, help="Count what would move; change nothing.")
def migrate(name: str, from_version: int, to_version: int, mappings: tuple[str, ...],
            username: str, dry_run: bool) -> None:
    """Move open findings of NAME from one definition version to another, on the record."""
    from workflow.services.migrate import migrate_findings

    state_map = {}
    for item in mappings:
        old, sep, new = item.partition("=")
        if not sep or not old or not new:
            raise click.ClickException(f"--map takes OLD=NEW, got {item!r}")
        state_map[old.strip()] = new.strip()
    rectify = initialised_rectify()
    with rectify.unit_of_work() as uow:
        actor = uow.session.scalar(select(User).where(User.username == username))
        if actor is None:
            raise click.ClickException(f"unknown user {username!r}")
        try:
            moved = migrate_findings(uow, actor, name, from_version, to_version, state_map, dry_run)
        except RectifyError as exc:
            raise click.ClickException(str(exc)) from None
    verb = "would move" if dry_run else "moved"
    click.echo(f"{verb} {moved} open finding(s) of {name} from v{from_version} to v{to_version}")


@engine.command("ledger")
@click.option("--state", "states", multiple=True, help="Only these states (repeatable).")
@click.option("--lifecycle")
@click.option("--unit", "unit_code", help="Unit code: that unit and its subtree.")
@click.option("--category", type=click.Choice(list(CATEGORIES)))
@click.option("--severity", type=click.Choice(list(SEVERITIES)))
@click.option("--overdue/--not-overdue", default=None)
@click.option("--open/--closed", "is_open", default=None)
@click.option("--text")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh")
def ledger_command(states: tuple[str, ...], lifecycle: str | None, unit_code: str | None,
                   category: str | None, severity: str | None, overdue: bool | None,
                   is_open: bool | None, text: str | None, fmt: str, lang: str) -> None:
    """Print the ledger (台账) as a table, CSV or JSON."""
    rectify = initialised_rectify()
    args: dict[str, Any] = {"state": list(states), "lifecycle": lifecycle, "category": category,
            "severity": severity, "overdue": overdue, "open": is_open, "q": text}
    with rectify.unit_of_work(write=False) as uow:
        args["unit"] = _unit_id(uow, unit_code)
        try:  # the same contract as the web page, the API and the exports
            query = parse_ledger_args({k: v for k, v in args.items() if v is not None},
                                      uow.registry)
            findings = _all_findings(uow, query.filter)
            _echo_rows(row_builder(uow, lang), findings, fmt)
        except RectifyError as exc:
            raise click.ClickException(str(exc)) from None


def _unit_id(uow: UnitOfWork, code: str | None) -> int | None:
    if not code:
        return None
    unit_id = uow.session.scalar(select(Unit.id).where(Unit.code == code))
    if unit_id is None:
        raise click.ClickException(f"unknown unit code {code!r}")
    return unit_id


def _all_findings(uow: UnitOfWork, flt: LedgerFilter) -> Iterator[Finding]:
    cursor = None
    while True:
        page = ledger(uow.session, system_actor(), flt, uow.today(), cursor, limit=500)
        yield from page.items
        cursor = page.next_cursor
        if cursor is None:
            return


def _echo_rows(rows: RowBuilder, findings: Iterator[Finding], fmt: str) -> None:
    """CSV and JSON stream row by row; the table needs every row to size its columns."""
    columns = [key for key, _zh, _en in COLUMNS]
    if fmt == "table":
        cells = [rows.cells(f) for f in findings]
        click.echo(_table(columns, cells) + f"{len(cells)} finding(s)")
        return
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for finding in findings:
            writer.writerow({k: spreadsheet_safe(v) for k, v in rows.cells(finding).items()})
            click.echo(out.getvalue(), nl=False)
            out.seek(0)
            out.truncate()
        click.echo(out.getvalue(), nl=False)
        return
    click.echo("[", nl=False)
    for n, finding in enumerate(findings):
        text = json.dumps(rows.cells(finding), ensure_ascii=False, indent=2)
        click.echo(("," if n else "") + "\n  " + text.replace("\n", "\n  "), nl=False)
    click.echo("\n]")


def _table(columns: list[str], rows: list[dict[str, Cell]]) -> str:
    from unicodedata import east_asian_width

    def width(text: str) -> int:
        return sum(2 if east_asian_width(ch) in "WF" else 1 for ch in text)

    def clip(text: str, size: int) -> str:
        out, used = "", 0
        for ch in text:
            w = width(ch)
            if used + w > size:
                return out + "…"
            out, used = out + ch, used + w
        return out

    cells = [[clip(str(r[c]), 36) for c in columns] for r in rows]
    widths = [max([width(c)] + [width(row[i]) for row in cells]) for i, c in enumerate(columns)]
    lines = ["  ".join(c + " " * (widths[i] - width(c)) for i, c in enumerate(columns))]
    for row in cells:
        lines.append("  ".join(v + " " * (widths[i] - width(v)) for i, v in enumerate(row)))
    return "\n".join(lines) + "\n"


def _registry() -> Registry:
    try:
        return load_registry(Settings.from_env().definitions_path)
    except DefinitionError as exc:
        raise click.ClickException("invalid definitions:\n" + str(exc)) from None
