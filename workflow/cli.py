"""The engine's command line: init, demo, lint, graph, verify, backup, attachments, import,
ledger, export, report, tick, worker, bench."""

from __future__ import annotations

import re
import sys
from datetime import timedelta
from pathlib import Path

import click
from sqlalchemy import select

from workflow.cli_backup import backup_command
from workflow.cli_bench import bench_command
from workflow.cli_export import export_command
from workflow.cli_import import import_command
from workflow.cli_ledger import ledger_command
from workflow.cli_report import report_command
from workflow.cli_stats import stats_command
from workflow.cli_support import initialised_rectify, make_rectify, registry_from_env
from workflow.cli_tick import tick_command
from workflow.cli_verify import verify_command
from workflow.cli_worker import worker_command
from workflow.config import Settings
from workflow.errors import RectifyError, UnknownLifecycle
from workflow.models import User
from workflow.services.directory import has_users
from workflow.spec import load_paths
from workflow.spec.diagram import mermaid
from workflow.unit_kinds import KINDS_FILE, unit_kinds_problems


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
    """Check definition files and unit kinds files (unit_kinds.yaml; without PATHS, the
    configured ones); print every problem and exit 1, or one line per lifecycle and kinds file."""
    settings = Settings.from_env()
    targets = list(paths) or [settings.definitions_path]
    missing = [p for p in targets if not p.exists()]
    for path in missing:
        click.echo(f"{path}: no such file or directory", err=True)
    lifecycles, problems = load_paths([p for p in targets if p.exists()])
    kinds_files = _kinds_files(targets, None if paths else settings.unit_kinds_path)
    kinds = [unit_kinds_problems(path) for path in kinds_files]
    problems += [problem for _, found in kinds for problem in found]
    for problem in problems:
        click.echo(problem)
    if problems or missing or not (lifecycles or kinds_files):
        if not problems and not missing:
            click.echo("no definition files found")
        sys.exit(1)
    for lc in sorted(lifecycles, key=lambda x: (x.name, x.version)):
        finals = len(lc.final_states())
        click.echo(f"ok {lc.key}: {len(lc.states)} states ({finals} final), "
                   f"{len(lc.transitions)} transitions, initial '{lc.initial}' — {lc.en}")
    for path, (declared, _) in zip(kinds_files, kinds, strict=True):
        assert declared is not None
        click.echo(f"ok unit kinds ({path.name}): {', '.join(declared.keys())}; inspecting: "
                   f"{', '.join(k.key for k in declared if k.inspects)}")


def _kinds_files(targets: list[Path], configured: Path | None) -> list[Path]:
    """The unit kinds files to check: those named so among the targets or in their folders,
    and the configured one (when linting what is configured), each once."""
    found = [t if t.is_file() else t / KINDS_FILE for t in targets
             if (t.is_file() and t.name == KINDS_FILE) or (t.is_dir() and (t / KINDS_FILE).is_file())]
    if configured is not None:
        found.append(configured)
    return list({path.resolve(): path for path in found}.values())


@engine.command()
@click.argument("name")
def graph(name: str) -> None:
    """Print a lifecycle as a mermaid state diagram: NAME or NAME@VERSION."""
    registry = registry_from_env()
    lifecycle_name, _, version = name.partition("@")
    try:
        lifecycle = registry.get(lifecycle_name, int(version) if version else None)
    except (UnknownLifecycle, ValueError):
        raise click.ClickException(f"unknown lifecycle {name!r}") from None
    click.echo(mermaid(lifecycle, lang="en"))


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


engine.add_command(import_command)
engine.add_command(ledger_command)
engine.add_command(report_command)
engine.add_command(export_command)
engine.add_command(stats_command)
engine.add_command(tick_command)
engine.add_command(worker_command)
engine.add_command(bench_command)
engine.add_command(verify_command)
engine.add_command(backup_command)
