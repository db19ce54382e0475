"""What the dashboard shows of the statistics: ledger links, breakdown labels, trends, heat maps."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from web.i18n import lang
from web.uow import get_uow
from workflow.catalog import CATEGORIES, label
from workflow.models import Campaign, User
from workflow.services.scope import sees_everything
from workflow.services.stats_figures import FIGURE_LINKS
from workflow.services.stats_report import Statistics
from workflow.spec.diagram import heat_mermaid

# Breakdown column -> the ledger argument narrowing to one of its values.
NARROW = {"campaign_id": "campaign", "category": "category", "raised_by_id": "raised_by",
          "lifecycle": "lifecycle", "unit_id": "unit"}


class Links:
    """Ledger URLs of the dashboard's counted figures (as of the same moment when it is past)."""

    def __init__(self, stats: Statistics, viewer: User) -> None:
        self.base = stats.query.ledger_args()
        if "unit" not in self.base and not sees_everything(viewer):
            self.base["unit"] = viewer.unit_id  # the ledger also lists findings seen as a party

    def __call__(self, figure: str, **narrow: Any) -> str | None:
        if figure not in FIGURE_LINKS or None in narrow.values():
            return None
        args = {**self.base, **FIGURE_LINKS[figure],
                **{NARROW.get(key, key): value for key, value in narrow.items()}}
        return url_for("pages.ledger_page", **args)


def breakdown_names(stats: Statistics) -> dict[str, dict[Any, str]]:
    """Display names of each breakdown's keys, in the user's language."""
    session, code = get_uow().session, lang()
    campaigns = {c.id: c.name for c in session.scalars(
        select(Campaign).where(Campaign.id.in_([k for k in stats.by["campaign_id"] if k])))}
    users = {u.id: u.display_name for u in session.scalars(
        select(User).where(User.id.in_(list(stats.by["raised_by_id"]))))}
    registry = get_uow().registry
    return {
        "campaign_id": {k: campaigns.get(k, _("No campaign")) for k in stats.by["campaign_id"]},
        "category": {k: label(CATEGORIES, k, code) for k in stats.by["category"]},
        "raised_by_id": {k: users.get(k, str(k)) for k in stats.by["raised_by_id"]},
        "lifecycle": {k: registry.get(k).label(code) for k in stats.by["lifecycle"]},
    }


def trend_chart(stats: Statistics) -> dict[str, Any]:
    """Chart.js data of the trends: one line per figure over the buckets."""
    names = {"raised": _("Problems raised"), "rectified": _("Rectification reports"),
             "confirmed": _("Confirmed (closed)"), "proposed": _("Suggestions proposed"),
             "inspections": _("Inspections made")}
    first = next(iter(stats.trends.values()), {})
    return {"labels": list(first), "series": [
        {"label": names[key], "data": list(values.values())} for key, values in stats.trends.items()]}


def heat_maps(stats: Statistics) -> list[dict[str, Any]]:
    """Per lifecycle with time spent: its latest diagram coloured by each state's share of the
    time, and the states' rows (total and mean days)."""
    registry, code, out = get_uow().registry, lang(), []
    for lifecycle in registry.latest():
        dwell = {state: d for (name, state), d in stats.events.dwell.items()
                 if name == lifecycle.name}
        total = sum(d.days for d in dwell.values())
        if not total:
            continue
        shares = {state: d.days / total for state, d in dwell.items()}
        rows = [{"state": lifecycle.state(s).label(code) if lifecycle.has_state(s) else s,
                 "days": round(d.days, 1), "mean": d.mean, "findings": d.findings,
                 "share": shares[s]} for s, d in sorted(dwell.items(), key=lambda p: -p[1].days)]
        out.append({"lifecycle": lifecycle, "diagram": heat_mermaid(lifecycle, code, shares),
                    "rows": rows})
    return out
