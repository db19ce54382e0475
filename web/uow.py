"""One unit of work per request: opened lazily, read-only for GET, closed at teardown."""

from __future__ import annotations

from flask import Flask, current_app, g, request

from workflow.runtime import Rectify, UnitOfWork

_SAFE = {"GET", "HEAD", "OPTIONS"}


def rectify() -> Rectify:
    engine: Rectify = current_app.extensions["rectify"]
    return engine


def get_uow() -> UnitOfWork:
    """The request's unit of work; writers (POST ...) take the write lock on SQLite."""
    if "uow" not in g:
        uow = rectify().unit_of_work(write=request.method not in _SAFE)
        g.uow = uow.__enter__()
    result: UnitOfWork = g.uow
    return result


def init_app(app: Flask) -> None:
    @app.teardown_appcontext
    def _close(exc: BaseException | None) -> None:
        uow = g.pop("uow", None)
        if uow is not None:
            uow.__exit__(None, None, None)
