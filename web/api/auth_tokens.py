"""API bearer tokens: exchange username and password for a token; revoke it."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint, abort

from web.api.schemas import ApiError, TokenRequest, TokenResponse
from web.auth import _bearer_token
from web.extensions import limiter
from web.uow import get_uow
from workflow.services.directory import authenticate
from workflow.services.tokens import issue_token, revoke_token

PREFIX = "/auth"
blp = Blueprint("api_auth", __name__, description="Bearer tokens for the API")


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


@blp.route("/token")
class Token(MethodView):
    decorators = [limiter.limit(_login_limit, methods=["POST"])]

    @blp.arguments(TokenRequest)
    @blp.response(201, TokenResponse)
    @blp.alt_response(401, schema=ApiError)
    @blp.alt_response(429, schema=ApiError)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Exchange username and password for a bearer token (shown once; rate-limited)."""
        uow = get_uow()
        user = authenticate(uow.session, data["username"], data["password"])
        if user is None:
            abort(401, message=_("Wrong username or password."))
        assert user is not None  # abort raised (flask-smorest's abort is not typed NoReturn)
        token = issue_token(uow.session, user, data["label"], uow.now())
        uow.commit()
        return {"token": token, "user": user.username}

    @blp.response(204)
    @blp.alt_response(401, schema=ApiError)
    def delete(self) -> None:
        """Revoke the bearer token this request is made with."""
        token = _bearer_token()
        uow = get_uow()
        if token is None or not revoke_token(uow.session, token, uow.now()):
            abort(401, message=_("Send the token to revoke as a bearer token."))
        uow.commit()
