"""Lifecycles: each definition's diagram, what its states mean and who does what, the viewer's
own actions first; rule names, triggers, hashes and files only for admins."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import render_template
from flask_login import current_user

from web.i18n import lang
from web.pages import bp
from web.uow import get_uow
from workflow.guide import guard_words, state_meaning
from workflow.spec.diagram import mermaid
from workflow.spec.model import Lifecycle, TransitionSpec


@dataclass(frozen=True)
class Step:
    """One transition as the page tells it: its spec, and what it requires in words."""

    spec: TransitionSpec
    requires: tuple[str, ...]


def _step(spec: TransitionSpec, language: str) -> Step:
    words = (guard_words(g.name, language) for g in spec.guards)
    return Step(spec, tuple(dict.fromkeys(w for w in words if w)))


def _guide(lc: Lifecycle, roles: frozenset[str], language: str) -> dict[str, Any]:
    steps = [_step(t, language) for t in lc.transitions]
    return {
        "lc": lc, "diagram": mermaid(lc, language), "file": Path(lc.source).name,
        "states": [(s, state_meaning(s.name, s.final, language)) for s in lc.states],
        "yours": [s for s in steps if roles.intersection(s.spec.roles)],
        "others": [s for s in steps if not roles.intersection(s.spec.roles)],
    }


@bp.route("/lifecycles")
def lifecycles_page():  # type: ignore[no-untyped-def]
    uow = get_uow()
    roles: frozenset[str] = current_user.user.role_set
    items = [_guide(lc, roles, lang()) for lc in uow.registry.all()]
    return render_template("lifecycles.html", items=items, technical="admin" in roles)
