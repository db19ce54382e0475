"""`rectify verify`: every chain (worker processes, progress bar), or only what is new since an
anchor, or the anchor alone; and every evidence file."""

from __future__ import annotations

import sys
from datetime import datetime

import click

from workflow.chain import timestamp
from workflow.cli_report import verify_anchor
from workflow.cli_support import initialised_rectify
from workflow.errors import InvalidInput
from workflow.runtime import Rectify, UnitOfWork
from workflow.services.anchor import count_findings, parse_anchor
from workflow.services.verify_parallel import Outcome, default_workers, verify_everything


@click.command("verify")
@click.option("--anchor", metavar="FINGERPRINT@TIME",
              help="Instead: check the record up to TIME against the fingerprint printed on a "
                   "daily report (16+ hex digits, dashes ignored); exit 1 if it was rewritten.")
@click.option("--since", metavar="FINGERPRINT@TIME",
              help="Check only what is new since an anchor: that the chain heads at TIME still "
                   "make its fingerprint, then every event after TIME (and the files uploaded "
                   "since); exit 1 on any break.")
@click.option("--workers", type=click.IntRange(1, 32), default=None,
              help="Worker processes for the chains (default: the CPUs, at most 2).")
@click.option("--facts", is_flag=True,
              help="Also fold each finding's events again and compare the facts kept on its row "
                   "for the statistics and the export (not covered by the chains); exit 1 on "
                   "any difference.")
def verify_command(anchor: str | None, since: str | None, workers: int | None,
                   facts: bool) -> None:
    """Recompute every finding's hash chain and every evidence file's sha256; exit 1 and name
    each break. With --anchor: whether the record up to a report's cut-off is unchanged. With
    --since: the same anchor check, then only what was recorded after it."""
    if anchor is not None and since is not None:
        raise click.UsageError("give --anchor or --since, not both")
    if facts and (anchor is not None or since is not None):
        raise click.UsageError("--facts checks every finding: give it without --anchor or --since")
    rectify = initialised_rectify()
    if anchor is not None:
        verify_anchor(rectify, anchor)
        return
    expected, cutoff = _since(since)
    chains_ok = _verify_chains(rectify, workers or default_workers(), cutoff, expected)
    with rectify.unit_of_work(write=False) as uow:
        bad_files = _verify_files(uow, cutoff)
    if bad_files:
        click.echo(f"FAILED: {bad_files} evidence file(s) missing or changed")
    else:
        click.echo("ok: every evidence file still matches its sha256" if cutoff is None else
                   "ok: every evidence file uploaded since still matches its sha256")
    facts_ok = not facts or _verify_facts(rectify)
    if not chains_ok or bad_files or not facts_ok:
        sys.exit(1)


def _since(text: str | None) -> tuple[str, datetime | None]:
    if text is None:
        return "", None
    try:
        return parse_anchor(text)
    except InvalidInput as exc:
        raise click.BadParameter(exc.errors["anchor"]["en"], param_hint="--since") from None


def _verify_chains(rectify: Rectify, workers: int, cutoff: datetime | None,
                   expected: str) -> bool:
    """Walk the chains (progress bar on stderr), name each break; whether all verified."""
    with rectify.unit_of_work(write=False) as uow:
        total = count_findings(uow.session)
    outcome, broken = Outcome(), 0
    with click.progressbar(length=total, label="findings", file=sys.stderr,
                           hidden=not total) as bar:
        for finding, problems in verify_everything(rectify.database.engine, workers, cutoff,
                                                   bar.update, outcome):
            broken += 1
            for problem in problems:
                where = f"event #{problem.seq} (id {problem.event_id})" if problem.seq else "head"
                click.echo(f"{finding.code} {where}: {problem.problem}")
    anchor_ok = cutoff is None or _anchor_holds(outcome, cutoff, expected)
    scope = "" if cutoff is None else f" after {timestamp(cutoff)}"
    if broken:
        click.echo(f"FAILED: {broken} finding(s) with a broken chain{scope}")
    elif cutoff is None:
        click.echo(f"ok: every finding's event chain verifies ({outcome.events} events of "
                   f"{outcome.findings} findings)")
    else:
        click.echo(f"ok: every event{scope} verifies, each chain continuing from its head at "
                   f"the anchor ({outcome.events} new events of {outcome.findings} findings)")
    return anchor_ok and not broken


def _anchor_holds(outcome: Outcome, cutoff: datetime, expected: str) -> bool:
    when = timestamp(cutoff)
    if outcome.fingerprint.startswith(expected):
        click.echo(f"ok: the chain heads at {when} make the anchor's fingerprint "
                   f"({outcome.fingerprint})")
        return True
    click.echo(f"FAILED: the record up to {when} was rewritten: the chain heads at that time make "
               f"the fingerprint {outcome.fingerprint}, the anchor says {expected}")
    return False


def _verify_facts(rectify: Rectify) -> bool:
    """Fold every finding's events again (progress bar on stderr) and name each row whose kept
    facts differ; whether all agreed."""
    from workflow.services.verify_facts import facts_disagreeing

    wrong = 0
    with rectify.unit_of_work(write=False) as uow:
        total = count_findings(uow.session)
        with click.progressbar(length=total, label="facts", file=sys.stderr,
                               hidden=not total) as bar:
            for finding, columns in facts_disagreeing(uow.session.connection(), uow.registry,
                                                      bar.update):
                wrong += 1
                click.echo(f"{finding.code} facts: {', '.join(columns)} not what its events give")
    if wrong:
        click.echo(f"FAILED: {wrong} finding(s) whose kept facts disagree with their events")
        return False
    click.echo(f"ok: the facts kept on every finding agree with its events ({total} findings)")
    return True


def _verify_files(uow: UnitOfWork, since: datetime | None) -> int:
    """Re-hash every stored evidence file, or those uploaded after `since` (progress bar on
    stderr); name each bad one."""
    from workflow.services.verify import count_digests, stored_digests, verify_files

    with click.progressbar(stored_digests(uow.session, since=since),
                           length=count_digests(uow.session, since),
                           label="evidence files", file=sys.stderr) as digests:
        bad = list(verify_files(uow.store, digests))
    for digest, problem in bad:
        click.echo(f"evidence {digest} ({uow.store.location(digest)}): {problem}")
    return len(bad)
