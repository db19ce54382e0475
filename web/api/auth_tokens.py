"""API bearer tokens: exchange username and password for a token; list and revoke them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint, abort

from web.api.schemas import ApiError, TokenOut, TokenRequest, TokenResponse
from web.auth import _bearer_token, actor, login_refusal
from web.extensions import limiter
from web.uow import get_uow
from workflow.models import ApiToken
from workflow.services import accounts
from workflow.services.tokens import issue_token, revoke_token, tokens_of

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
    @blp.alt_response(403, schema=ApiError)
    @blp.alt_response(429, schema=ApiError)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Exchange username and password for a bearer token (shown once; rate-limited).

        The token expires after `expires_in_days` (default and longest: 90 days, configurable
        with RECTIFY_TOKEN_DAYS). Repeated wrong passwords lock the account for a while (429);
        a disabled account is told so (403) only when the password is right."""
        uow = get_uow()
        result = accounts.login(uow, data["username"], data["password"])  # commits either way
        if result.user is None:
            message, status = login_refusal(result)
            abort(status, message=message)
        assert result.user is not None  # abort raised (flask-smorest's abort is not typed NoReturn)
        longest = timedelta(days=int(current_app.config["TOKEN_DAYS"]))
        days = data.get("expires_in_days")
        lifetime = timedelta(days=days) if days else longest
        token = issue_token(uow, result.user, data["label"], lifetime, longest)
        return {"token": token, "user": result.user.username, "expires_at": uow.now() + lifetime}

    @blp.response(204)
    @blp.alt_response(401, schema=ApiError)
    def delete(self) -> None:
        """Revoke the bearer token this request is made with."""
        token = _bearer_token()
        uow = get_uow()
        if token is None or not revoke_token(uow, token):
            abort(401, message=_("Send the token to revoke as a bearer token."))


@blp.route("/tokens")
class Tokens(MethodView):
    @blp.response(200, TokenOut(many=True))
    def get(self) -> list[ApiToken]:
        """Your tokens that are not revoked: label, created, expires and last used (to the
        minute)."""
        return tokens_of(get_uow().session, actor())
