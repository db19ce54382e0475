"""My work (待办): what awaits this user's action, soonest deadline first."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_login import current_user

from web.auth import actor
from web.errors import describe
from web.i18n import lang
from web.pages import bp
from web.uow import get_uow
from workflow import services
from workflow.errors import InvalidInput
from workflow.models import Finding
from workflow.services.letter_work import pending_replies
from workflow.services.paging import page_number
from workflow.services.permissions import starts_in_directory
from workflow.services.waiting import ON_MY_WORK, PAGE_SIZE, waiting_on_others
from workflow.services.work import WorkList, my_work
from workflow.services.work_reasons import sent_back


@bp.app_template_global("may_fire")
def may_fire(finding: Finding, trigger: str) -> bool:
    """Whether to offer a transition's button in a table: services.may_fire's answer (role,
    side, state); the guards still run when it is fired."""
    return services.may_fire(get_uow(), finding, trigger, actor())


def landing() -> str:
    """The page a user starts on (after login, at "/"): the directory for an admin with no
    working role, else My work (also for a visitor not logged in)."""
    directory = current_user.is_authenticated and starts_in_directory(actor())
    return url_for("admin.units" if directory else "pages.work")


@bp.route("/")
def index():  # type: ignore[no-untyped-def]
    return redirect(landing())


@bp.route("/work")
def work():  # type: ignore[no-untyped-def]
    uow = get_uow()
    cursor = request.args.get("cursor") or None
    todo = _todo(cursor)
    kinds = []
    for (key, state), count in sorted(todo.counts.items()):
        name, _, version = key.partition("@")
        lc = uow.registry.get(name, int(version))
        kinds.append((lc.label(lang()), lc.state(state).label(lang()), count))
    replies = pending_replies(uow.session, actor(), uow.today(), uow.calendar)
    return render_template("work.html", todo=todo, kinds=kinds, replies=replies, cursor=cursor,
                           why=sent_back(uow.session, uow.registry, todo.items),
                           waiting=waiting_on_others(uow.session, uow.registry, actor(), ON_MY_WORK))


@bp.route("/work/waiting")
def work_waiting():  # type: ignore[no-untyped-def]
    """Every finding waiting on others, PAGE_SIZE a page (My work shows the longest waiting)."""
    uow, user = get_uow(), actor()
    errors: dict[str, str] = {}
    try:
        page = page_number(request.args.get("page"))
    except InvalidInput as exc:  # say so, show the first page
        errors, page = describe(exc)[1], 1
    waiting = waiting_on_others(uow.session, uow.registry, user, PAGE_SIZE, page)
    if page > waiting.pages:  # past the end (the list shrank since the link): its last page
        return redirect(url_for("pages.work_waiting", page=waiting.pages))
    return render_template("work_waiting.html", waiting=waiting, errors=errors)


def _todo(cursor: str | None) -> WorkList:
    """The page after the cursor; the first page for a cursor from an old link."""
    try:
        return my_work(get_uow(), actor(), cursor)
    except InvalidInput as exc:
        if "cursor" not in exc.errors:
            raise
        return my_work(get_uow(), actor())
