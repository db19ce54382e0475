"""Lifecycle definitions as the engine loaded them, with their mermaid diagrams."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from web.api.lifecycle_schemas import LifecycleOut, lifecycle_out
from web.api.schemas import ApiError
from web.i18n import lang
from web.uow import get_uow
from workflow.spec.diagram import mermaid

PREFIX = "/lifecycles"
blp = Blueprint("api_lifecycles", __name__, description="Lifecycle definitions")


@blp.route("")
class Lifecycles(MethodView):
    @blp.response(200, LifecycleOut(many=True))
    def get(self) -> list[dict[str, Any]]:
        """Every loaded lifecycle version."""
        uow = get_uow()
        return [lifecycle_out(lc, uow.today(), mermaid(lc, lang())) for lc in uow.registry.all()]


@blp.route("/<name>/<int:version>")
class LifecycleItem(MethodView):
    @blp.response(200, LifecycleOut)
    @blp.alt_response(404, schema=ApiError)
    def get(self, name: str, version: int) -> dict[str, Any]:
        """One lifecycle version: states, transitions, roles, fields and its diagram."""
        uow = get_uow()
        lc = uow.registry.get(name, version)
        return lifecycle_out(lc, uow.today(), mermaid(lc, lang()))
