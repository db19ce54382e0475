"""Template helpers: labels in the user's language, dates, who may see which menu."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Any

from babel import Locale
from babel.dates import format_date
from flask import Flask
from flask_babel import get_locale
from flask_login import current_user

from web.i18n import lang
from web.uow import get_uow, rectify
from workflow.catalog import (
    AUDIENCE_LABELS,
    CATEGORIES,
    CLOCK_LABELS,
    METHODS,
    ROLE_LABELS,
    SEVERITIES,
    label,
)
from workflow.models import Finding
from workflow.services import permissions
from workflow.services.ledger import is_overdue as services_is_overdue
from workflow.services.unit_offer import field_purpose
from workflow.text import as_id


def state_label(finding: Finding) -> str:
    lc = get_uow().registry.get(finding.lifecycle, finding.lifecycle_version)
    return lc.state(finding.state).label(lang())


def is_overdue(finding: Finding) -> bool:
    return services_is_overdue(finding, get_uow().today())


def local_date(day: date | None) -> str:
    """A date as its reader writes one: 2026年11月29日 in zh, Nov 29, 2026 in en (Babel's
    medium format, as flask_babel.format_date gives it; each (day, locale) written once per
    process: a table repeats a few days, and Babel took ~15 µs a date)."""
    return _date_words(day, get_locale()) if day else ""


@lru_cache(maxsize=4096)
def _date_words(day: date, locale: Locale | None) -> str:
    return format_date(day, "medium", locale=locale)


def local_time(moment: datetime | None) -> str:
    """A moment in the organisation's zone (RECTIFY_TIMEZONE), its date in the reader's words."""
    if moment is None:
        return ""
    local = moment.astimezone(get_uow().zone)
    return f"{local_date(local.date())} {local:%H:%M}"


def iso(day: date | None) -> str:
    """A date for machines (form values, URLs): YYYY-MM-DD."""
    return day.isoformat() if day else ""


def has_role(*roles: str) -> bool:
    return bool(current_user.is_authenticated and current_user.user.has_role(*roles))


def may(action: str) -> bool:
    """Whether to offer an action: the rule in workflow.services.permissions."""
    return bool(current_user.is_authenticated and permissions.may(current_user.user, action))


def kind_label(key: str) -> str:
    """A unit kind's label in the user's language (declared in the unit kinds file)."""
    return rectify().unit_kinds.label(key, lang())


def register_template_helpers(app: Flask) -> None:
    from web.pages.unit_picker import picked_unit, picked_units

    app.jinja_env.globals.update(
        state_label=state_label, is_overdue=is_overdue,
        local_time=local_time, local_date=local_date, iso=iso, has_role=has_role, may=may,
        category_label=lambda key: label(CATEGORIES, key, lang()),
        severity_label=lambda key: label(SEVERITIES, key, lang()),
        method_label=lambda key: label(METHODS, key, lang()),
        kind_label=kind_label,
        clock_label=lambda key: label(CLOCK_LABELS, key, lang()),
        audience_label=lambda key: label(AUDIENCE_LABELS, key, lang()),
        role_label=lambda key: label(ROLE_LABELS, key, lang()),
        roles_label=lambda keys: ("、" if lang() == "zh" else ", ").join(
            label(ROLE_LABELS, k, lang()) for k in sorted(keys)),
        CATEGORIES=CATEGORIES, SEVERITIES=SEVERITIES, METHODS=METHODS,
        picked_unit=picked_unit, picked_units=picked_units, field_purpose=field_purpose,
    )


def as_int(value: Any) -> int | None:
    """An id from a form or query string: ASCII digits within the databases' integer range
    (workflow.text.as_id); None when absent or anything else ("8.9", "٨", "-1")."""
    return as_id(value)
