"""The JSON API under /api/v1: flask-smorest blueprints, described by OpenAPI."""

from __future__ import annotations

from flask import Flask

from web.extensions import api


def register_api(app: Flask) -> None:
    from web.api import (
        attachments,
        auth_tokens,
        bulk,
        burden,
        comments,
        directory,
        documents,
        findings,
        letters,
        lifecycles,
        links,
        notifications,
        numbers,
        search,
        stats,
        unit_admin,
    )
    from web.api.payloads import document_payloads
    from web.api.schemas import Error

    api.ERROR_SCHEMA = Error  # one error schema in the document: the shape web/errors.py writes
    api.init_app(app)
    api.spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer", "description": "POST /api/v1/auth/token"})
    api.spec.options["security"] = [{"bearer": []}]
    for module in (auth_tokens, findings, comments, links, attachments, directory, lifecycles, numbers,
                   notifications, letters, documents, burden, stats, search, unit_admin, bulk):
        api.register_blueprint(module.blp, url_prefix=f"/api/v1{module.PREFIX}")
    document_payloads(api.spec, app.extensions["rectify"].registry, "FireRequest")
