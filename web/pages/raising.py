"""Raise a finding (inspectors): unit picker, category, severity, requirement, photos; duplicate check."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from web.auth import actor
from web.errors import describe
from web.forms import field_out
from web.i18n import message
from web.pages import bp
from web.pages.findings import kept_digests, new_uploads, uploaded_digests
from web.pages.helpers import as_int
from web.uow import get_uow
from workflow import services
from workflow.errors import InvalidInput, RectifyError
from workflow.models import Finding
from workflow.services.comments import add_comment
from workflow.services.directory import (
    inspection_in_view,
    unit_in_view,
    visible_inspections,
)
from workflow.services.duplicates import Suggestion, similar_findings
from workflow.services.evidence import check_file_count
from workflow.services.raising import RAISE_FIELDS

_FIELDS = ("title", "description", "category", "severity", "unit", "requirement", "due_date")


def _form_context() -> dict[str, Any]:
    uow, user = get_uow(), actor()
    inspections = visible_inspections(uow.session, user, limit=50)
    lifecycles = [lc for lc in uow.registry.latest() if user.role_set.intersection(lc.raise_roles)]
    due_date = field_out(next(f for f in RAISE_FIELDS if f.name == "due_date"), uow.today())
    return {"inspections": inspections, "lifecycles": lifecycles,
            "due_date": due_date}


@bp.route("/raise", methods=["GET", "POST"])
def raise_page():  # type: ignore[no-untyped-def]
    context = _form_context()
    if not context["lifecycles"]:
        return render_template("error.html", code=403,
                               message=_("Only inspectors can raise findings.")), 403
    if request.method == "GET":
        return render_template("raise.html", values=_start_values(context), errors={},
                               duplicates=[], **context)
    uow = get_uow()
    values: dict[str, Any] = request.form.to_dict()
    data: dict[str, Any] = {name: values.get(name, "") for name in _FIELDS}
    errors = _count_errors()  # too many files: refused before any is stored
    data["evidence"], upload_error = ((kept_digests("evidence"), None) if errors
                                      else uploaded_digests("evidence"))
    values["evidence"] = data["evidence"]  # kept for the next try if anything is refused
    if upload_error:
        errors["evidence"] = message(upload_error)
    duplicates = [] if errors else _suggestions(values)
    if not errors and not duplicates:
        try:
            finding = services.raise_finding(uow, actor(), values.get("lifecycle", "standard"),
                                             data, values.get("inspection", "").strip(),
                                             values.get("recurrence_of", ""))
        except RectifyError as exc:
            uow.session.rollback()
            msg, errors = describe(exc)
            errors = errors or {"_": msg}
        else:
            flash(_raised_text(finding), "success")
            return redirect(url_for("pages.finding_page", finding_id=finding.id))
    uow.session.rollback()
    return render_template("raise.html", values=values, errors=errors, duplicates=duplicates,
                           **context), 422 if errors else 200


def _start_values(context: dict[str, Any]) -> dict[str, Any]:
    """A new form's values: ?unit= picks the unit; ?inspection= (an inspection the raiser may
    see) picks that inspection and its unit, and is listed even if older than the recent ones."""
    inspection = inspection_in_view(get_uow().session, actor(), request.args.get("inspection"))
    if inspection is None:
        return {"unit": request.args.get("unit", "")}
    if inspection not in context["inspections"]:
        context["inspections"].insert(0, inspection)
    return {"unit": str(inspection.unit_id), "inspection": str(inspection.id)}


def _suggestions(values: dict[str, Any]) -> list[Suggestion]:
    """Findings the new one may repeat, among those the raiser may see (the service's scope);
    none once the raiser said it is a different problem or a recurrence of a closed one."""
    uow = get_uow()
    unit = unit_in_view(uow.session, actor(), as_int(values.get("unit")))
    if (unit is None or not values.get("title") or values.get("confirm_duplicate")
            or values.get("recurrence_of")):
        return []
    return similar_findings(uow.session, actor(), unit, values["title"],
                            values.get("description", ""), uow.now())


@bp.route("/raise/instead/<int:finding_id>", methods=["POST"])
def raise_instead(finding_id: int) -> Response:
    """Instead of raising a duplicate, add what was found to the existing finding as a comment
    (with the photos already uploaded); the comment service checks the raiser may see it."""
    title, description = request.form.get("title", ""), request.form.get("description", "")
    text = _("Found again at an inspection: %(title)s", title=title)
    try:
        add_comment(get_uow(), actor(), finding_id, f"{text}\n{description}".strip(),
                    kept_digests("evidence"))
    except RectifyError as exc:
        get_uow().session.rollback()
        msg, errors = describe(exc)
        flash(" ".join(errors.values()) if errors else msg, "error")
        return redirect(url_for("pages.raise_page"))
    flash(_("Added to the existing finding instead of raising a new one."), "success")
    return redirect(url_for("pages.finding_page", finding_id=finding_id, _anchor="comments"))


def _raised_text(finding: Finding) -> str:
    if finding.last_seq > 1:  # the requirement and due date assigned it at once
        return str(_("Finding %(code)s raised and assigned.", code=finding.code))
    return str(_("Finding %(code)s raised.", code=finding.code))


def _count_errors() -> dict[str, str]:
    count = len(kept_digests("evidence")) + len(new_uploads("evidence"))
    try:
        check_file_count(services.RAISE_FIELDS, {"evidence": count})
    except InvalidInput as exc:
        return describe(exc)[1]
    return {}
