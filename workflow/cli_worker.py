"""`rectify worker`: deliver the outbox (mail, webhooks) and keep the statistics' tallies in a loop,
or one pass of each with --once."""

from __future__ import annotations

import signal
import threading
from types import FrameType

import click

from workflow.cli_support import initialised_rectify
from workflow.delivery import DeliveryReport, deliver_due, run_worker
from workflow.scheduler import tallies_keeper
from workflow.services.tick import keep_statistics


@click.command("worker")
@click.option("--once", is_flag=True, help="One pass over what is due, then exit.")
@click.option("--interval", default=10.0, show_default=True, type=click.FloatRange(min=0.05),
              help="Seconds between passes when nothing more is due.")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 10_000),
              help="Messages claimed per pass.")
def worker_command(once: bool, interval: float, limit: int) -> None:
    """Send due mails and webhooks, retry failures with backoff, and keep the statistics'
    tallies every few seconds; stop cleanly on SIGTERM or Ctrl+C (the message being sent is
    finished and recorded first)."""
    rectify = initialised_rectify()
    if once:
        click.echo(f"delivery: {deliver_due(rectify, limit=limit)}")
        click.echo(str(keep_statistics(rectify)))
        return
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    settings = rectify.settings.delivery
    click.echo(f"worker started (mail: {settings.mail}, every {interval:g} s); "
               "SIGTERM or Ctrl+C stops it", err=True)
    keeper = tallies_keeper(rectify).start()  # the statistics' log moved in, every few seconds
    try:
        run_worker(rectify, stop, interval, _echo, limit)
    finally:
        for sig, handler in previous.items():  # a second Ctrl+C while the keeper ends: hard stop
            signal.signal(sig, handler)
        if not keeper.stop():
            click.echo("the statistics' keeper did not stop within 60 s", err=True)
    click.echo("worker stopped", err=True)


def _echo(report: DeliveryReport) -> None:
    if report.claimed:
        click.echo(f"delivery: {report}")
