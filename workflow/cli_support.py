"""What the command line's commands share: the engine from the environment, the console actor."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy import make_url

from workflow.config import Settings
from workflow.errors import DefinitionError
from workflow.models import User
from workflow.runtime import Rectify
from workflow.spec import Registry, load_registry


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


def registry_from_env() -> Registry:
    try:
        return load_registry(Settings.from_env().definitions_path)
    except DefinitionError as exc:
        raise click.ClickException("invalid definitions:\n" + str(exc)) from None
