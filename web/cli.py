"""The `rectify` console script: the engine's commands plus `serve` for the web app."""

from __future__ import annotations

import signal
from types import FrameType

import click

from workflow.cli import engine
from workflow.cli_support import make_rectify
from workflow.errors import DefinitionError
from workflow.scheduler import DELIVER_SECONDS, background
from workflow.services.directory import has_users


@engine.command()
@click.option("--demo", is_flag=True, help="Load the demo data first if the database is empty.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-scheduler", "no_scheduler", is_flag=True,
              help="Do not run the ladder tick and the outbox delivery in the background "
                   "(production: cron or systemd runs `rectify tick` and `rectify worker`).")
def serve(demo: bool, host: str, port: int, no_scheduler: bool) -> None:
    """Upgrade the database (and load demo data) and serve the app at http://HOST:PORT; unless
    --no-scheduler, tick every RECTIFY_TICK_SECONDS and deliver the outbox in the background."""
    from web import create_app

    rectify = make_rectify()
    rectify.database.upgrade()
    if demo:
        with rectify.unit_of_work(write=False) as uow:
            empty = not has_users(uow.session)
        if empty:
            from workflow.demo import load_demo

            click.echo(load_demo(rectify))
            rectify.database.analyze()
        else:
            click.echo("database already has data; not loading the demo again")
    try:
        app = create_app({"RECTIFY": rectify})
    except DefinitionError as exc:
        raise click.ClickException(f"not starting: {exc}") from None
    scheduler = None if no_scheduler else background(rectify).start()
    if scheduler is not None:
        click.echo(f"scheduler: tick every {rectify.settings.tick_seconds:g} s, outbox delivery "
                   f"every {DELIVER_SECONDS:g} s (mail: {rectify.settings.delivery.mail})")
    click.echo(f"Rectify is running at http://{host}:{port}/  (Ctrl+C to stop)")
    previous = signal.signal(signal.SIGTERM, _interrupt)  # SIGTERM stops it as Ctrl+C does
    try:
        app.run(host=host, port=port, threaded=True, use_reloader=False)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        if scheduler is not None:
            scheduler.stop()
            click.echo("scheduler stopped")


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main() -> None:
    engine()
