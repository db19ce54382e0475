"""`rectify bench`: the benchmark suite (benchmarks/ in the repository) run from the console."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from pathlib import Path

import click

from workflow.config import REPO_ROOT

MISSING = ("the benchmarks are not installed: they live in the repository's benchmarks/ folder "
           "({path} not found); run `rectify bench` from a checkout installed with "
           "`pip install -e .` (for the peers: `pip install -e \".[bench]\"`)")


def suite(root: Path = REPO_ROOT) -> tuple[Callable[[list[str]], int], tuple[str, ...]]:
    """benchmarks.suite's main() and its case names, from the checkout at `root`."""
    if not (root / "benchmarks" / "suite.py").is_file():
        raise click.ClickException(MISSING.format(path=root / "benchmarks" / "suite.py"))
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    try:
        module = importlib.import_module("benchmarks.suite")
    except ImportError as exc:
        raise click.ClickException(f"the benchmarks cannot be imported: {exc}") from None
    return module.main, tuple(module.CASES)


def suite_argv(findings: int, databases: tuple[str, ...], only: tuple[str, ...],
               cases: tuple[str, ...], out: Path | None) -> list[str]:
    """benchmarks/run.py's arguments for the command's options; a bad value names its option."""
    urls = [db for db in databases if db != "sqlite"]
    wrong = [db for db in urls if not db.startswith(("postgresql://", "postgresql+psycopg://"))]
    if wrong or len(urls) > 1:
        raise click.BadParameter("give `sqlite` and/or one PostgreSQL URL "
                                 "(postgresql+psycopg://user@host:5432/db)", param_hint="--db")
    unknown = [name for name in only if name not in cases]
    if unknown:
        raise click.BadParameter(f"unknown case {', '.join(unknown)}; the cases are {', '.join(cases)}",
                                 param_hint="--only")
    argv = ["--findings", str(findings)] + ([] if "sqlite" in databases else ["--no-sqlite"])
    argv += ["--postgres", urls[0]] if urls else []
    argv += [arg for name in only for arg in ("--only", name)]
    return argv + (["--out", str(out)] if out else [])


@click.command("bench")
@click.option("--findings", type=click.IntRange(min=1), default=2000, show_default=True,
              help="Findings in the bulk world behind the dashboard, export, import and as-of cases.")
@click.option("--db", "databases", multiple=True, default=("sqlite",), show_default=True,
              metavar="sqlite|POSTGRES_URL",
              help="Where to run (repeatable): sqlite, and/or a PostgreSQL URL (a schema of its "
                   "own is created there and dropped).")
@click.option("--only", multiple=True, metavar="CASE",
              help="Run only these cases (repeatable), e.g. peers, transition, dashboard.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Write the results here instead of benchmarks/results.")
def bench_command(findings: int, databases: tuple[str, ...], only: tuple[str, ...],
                  out: Path | None) -> None:
    """Run the benchmarks (benchmarks/run.py): print the table, write results/latest.json and .md
    and results/<date>-<db>-<N>.md."""
    main, cases = suite()
    code = main(suite_argv(findings, databases, only, cases, out))
    if code:
        raise click.exceptions.Exit(code)
