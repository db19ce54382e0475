"""Dashboard: the statistics (filters, figures linked to the ledger, trends, heat maps), lights."""

from __future__ import annotations

from datetime import date

from flask import render_template, request
from flask_babel import gettext as _

from web.auth import actor
from web.i18n import lang, message
from web.pages import bp
from web.pages.stats_view import Links, breakdown_names, heat_maps, trend_chart
from web.uow import get_uow
from workflow.errors import InvalidInput
from workflow.services.directory import visible_campaigns
from workflow.services.letter_stats import letter_stats
from workflow.services.light import today_cutoff
from workflow.services.stats import dashboard
from workflow.services.stats_args import StatsQuery, parse_stats_args
from workflow.services.stats_report import Statistics, statistics


def stats_query() -> tuple[StatsQuery, dict[str, str]]:
    """The query string through the statistics' one contract; errors by field (then no filter)."""
    uow = get_uow()
    try:
        return parse_stats_args(request.args, uow.registry, uow.now(), uow.zone), {}
    except InvalidInput as exc:
        return StatsQuery(zone=uow.zone), {k: message(v) for k, v in exc.errors.items()}


def current_statistics(query: StatsQuery, yellow_cutoff: date | None = None) -> Statistics:
    """With yellow_cutoff, the dashboard's board too when it counts the same findings."""
    uow = get_uow()
    return statistics(uow.session, actor(), uow.registry, query, uow.now(), yellow_cutoff)


@bp.route("/dashboard")
def dashboard_page():  # type: ignore[no-untyped-def]
    """Who may see it is the service's rule (permissions.RULES["dashboard"]), as in the API."""
    user, uow = actor(), get_uow()
    query, errors = stats_query()
    cutoff = today_cutoff(uow)
    try:
        stats = current_statistics(query, cutoff)
    except InvalidInput as exc:  # an as_of moment still to come
        errors = {k: message(v) for k, v in exc.errors.items()}
        query = StatsQuery(zone=uow.zone)
        stats = current_statistics(query, cutoff)
    board = stats.board or dashboard(uow.session, user, uow.today(), uow.registry,
                                     query.campaign_id, query.unit_id, cutoff)
    code = lang()
    states = []
    for (name, state), count in sorted(board.by_state.items()):
        lc = uow.registry.get(name)
        label_text = lc.state(state).label(code) if lc.has_state(state) else state
        states.append({"lifecycle": lc.label(code), "state": label_text, "count": count})
    chart = {
        "units": [u.name(code) for u, _n in stats.by_unit],
        "open": [n.open for _u, n in stats.by_unit],
        "overdue": [n.overdue for _u, n in stats.by_unit],
        "confirmed": [n.confirmed for _u, n in stats.by_unit],
        "labels": {"open": _("Open"), "overdue": _("Overdue"), "confirmed": _("Confirmed")},
    }
    letters = letter_stats(uow.session, user, uow.today(), query.campaign_id)
    return render_template(
        "dashboard.html", board=board, stats=stats, states=states, chart=chart,
        link=Links(stats, user), names=breakdown_names(stats), trends=trend_chart(stats),
        heat=heat_maps(stats), campaigns=visible_campaigns(uow.session, user),
        campaign_id=query.campaign_id, letters=letters,
        errors=errors, args=request.args, lifecycles=uow.registry.latest()), 422 if errors else 200
