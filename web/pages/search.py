"""The global search page: one box in the top bar, results grouped by kind (services.search)."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for

from web.auth import actor
from web.i18n import message
from web.pages import bp
from web.uow import get_uow
from workflow.errors import InvalidInput
from workflow.services.search import SearchResults, search


@bp.route("/search")
def search_page():  # type: ignore[no-untyped-def]
    raw = request.args.get("q", "")
    try:
        results = search(get_uow(), actor(), raw)
    except InvalidInput as exc:  # shown above the (empty) results, the box keeps nothing
        errors = {name: message(text) for name, text in exc.errors.items()}
        return render_template("search.html", results=SearchResults(), errors=errors), 422
    if results.exact is not None:  # a finding's code typed exactly: straight to it
        return redirect(url_for("pages.finding_page", finding_id=results.exact.id))
    return render_template("search.html", results=results, errors={})
