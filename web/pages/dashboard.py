"""Dashboard: counts, overdue, rectification and on-time rates, charts."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext as _

from web.auth import actor
from web.i18n import lang
from web.pages import bp
from web.pages.helpers import as_int
from web.uow import get_uow
from workflow.catalog import CATEGORIES, label
from workflow.services.directory import visible_campaigns
from workflow.services.letter_stats import letter_stats
from workflow.services.light import today_cutoff
from workflow.services.stats import dashboard


@bp.route("/dashboard")
def dashboard_page() -> str:
    """Who may see it is the service's rule (permissions.RULES["dashboard"]), as in the API."""
    user = actor()
    uow = get_uow()
    campaign_id = as_int(request.args.get("campaign"))
    board = dashboard(uow.session, user, uow.today(), uow.registry, campaign_id,
                      as_int(request.args.get("unit")), today_cutoff(uow))
    code = lang()
    states = []
    for (name, state), count in sorted(board.by_state.items()):
        lc = uow.registry.get(name)
        label_text = lc.state(state).label(code) if lc.has_state(state) else state
        states.append({"lifecycle": lc.label(code), "state": label_text, "count": count})
    chart = {
        "units": [u.name(code) for u, _n in board.by_unit],
        "open": [n.open for _u, n in board.by_unit],
        "overdue": [n.overdue for _u, n in board.by_unit],
        "confirmed": [n.confirmed for _u, n in board.by_unit],
        "labels": {"open": _("Open"), "overdue": _("Overdue"), "confirmed": _("Confirmed")},
    }
    categories = [(label(CATEGORIES, key, code), numbers) for key, numbers in board.by_category.items()]
    campaigns = visible_campaigns(uow.session, user)
    letters = letter_stats(uow.session, user, uow.today(), campaign_id)
    return render_template("dashboard.html", board=board, states=states, chart=chart,
                           categories=categories, campaigns=campaigns, campaign_id=campaign_id,
                           letters=letters)
