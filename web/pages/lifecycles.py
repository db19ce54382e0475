"""Lifecycles: each definition with its diagram, states, transitions, roles and fields."""

from __future__ import annotations

from flask import render_template

from web.i18n import lang
from web.pages import bp
from web.uow import get_uow
from workflow.spec.diagram import mermaid


@bp.route("/lifecycles")
def lifecycles_page():  # type: ignore[no-untyped-def]
    uow = get_uow()
    items = [(lc, mermaid(lc, lang())) for lc in uow.registry.all()]
    return render_template("lifecycles.html", items=items)
