"""Server-rendered pages (Jinja) for every role, over the same services as the API."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("pages", __name__)


def register_pages(app: Flask) -> None:
    from web.pages import (
        account,
        admin,
        admin_units,
        bulk,
        burden,
        comments,
        daily,
        dashboard,
        documents,
        findings,
        importing,
        ledger,
        ledger_saved,
        letters,
        lifecycles,
        links,
        notifications,
        outbox,
        raising,
        search,
        stats_export,
        table_links,
        two_steps,
        unit_picker,
        work,
    )
    from web.pages.helpers import register_template_helpers

    _ = (account, admin_units, bulk, burden, comments, daily, dashboard, documents, findings,
         importing, ledger, ledger_saved, letters, lifecycles, links, notifications, raising,
         search, stats_export, table_links, two_steps, unit_picker, work)
    app.register_blueprint(bp)
    app.register_blueprint(admin.bp, url_prefix="/admin")
    app.register_blueprint(outbox.bp, url_prefix="/admin")
    register_template_helpers(app)
