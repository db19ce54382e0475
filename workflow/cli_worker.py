"""`rectify worker`: deliver the outbox (mail, webhooks) in a loop, or one pass with --once."""

from __future__ import annotations

import signal
import threading
from types import FrameType

import click

from workflow.cli_support import initialised_rectify
from workflow.delivery import DeliveryReport, deliver_due, run_worker


@click.command("worker")
@click.option("--once", is_flag=True, help="One pass over what is due, then exit.")
@click.option("--interval", default=10.0, show_default=True, type=click.FloatRange(min=0.05),
              help="Seconds between passes when nothing more is due.")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 10_000),
              help="Messages claimed per pass.")
def worker_command(once: bool, interval: float, limit: int) -> None:
    """Send due mails and webhooks, retry failures with backoff; stop cleanly on SIGTERM or
    Ctrl+C (the message being sent is finished and recorded first)."""
    rectify = initialised_rectify()
    if once:
        click.echo(f"delivery: {deliver_due(rectify, limit=limit)}")
        return
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    settings = rectify.settings.delivery
    click.echo(f"worker started (mail: {settings.mail}, every {interval:g} s); "
               "SIGTERM or Ctrl+C stops it", err=True)
    try:
        run_worker(rectify, stop, interval, _echo, limit)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    click.echo("worker stopped", err=True)


def _echo(report: DeliveryReport) -> None:
    if report.claimed:
        click.echo(f"delivery: {report}")
