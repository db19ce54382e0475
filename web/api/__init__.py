"""The JSON API under /api/v1: flask-smorest blueprints, described by OpenAPI."""

from __future__ import annotations

from flask import Flask

from web.extensions import api


def register_api(app: Flask) -> None:
    from web.api import attachments, auth_tokens, directory, findings, lifecycles, numbers

    api.init_app(app)
    api.spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer", "description": "POST /api/v1/auth/token"})
    api.spec.options["security"] = [{"bearer": []}]
    for module in (auth_tokens, findings, attachments, directory, lifecycles, numbers):
        api.register_blueprint(module.blp, url_prefix=f"/api/v1{module.PREFIX}")
