"""One unit of work per request: opened lazily, read-only for GET, closed at teardown."""

from __future__ import annotations

from flask import Flask, current_app, g, request

from workflow.runtime import Rectify, UnitOfWork

_SAFE = {"GET", "HEAD", "OPTIONS"}
# Posts that write nothing (a login writes: failed attempts and the lockout are recorded).
_READ_ONLY_POSTS: set[str] = set()


def rectify() -> Rectify:
    engine: Rectify = current_app.extensions["rectify"]
    return engine


def get_uow() -> UnitOfWork:
    """The request's unit of work; writers (POST ...) take the write lock on SQLite."""
    if "uow" not in g:
        write = request.method not in _SAFE and request.endpoint not in _READ_ONLY_POSTS
        uow = rectify().unit_of_work(write=write)
        g.uow = uow.__enter__()
    result: UnitOfWork = g.uow
    return result


def init_app(app: Flask) -> None:
    @app.teardown_appcontext
    def _close(exc: BaseException | None) -> None:
        uow = g.pop("uow", None)
        if uow is not None:
            uow.__exit__(None, None, None)
