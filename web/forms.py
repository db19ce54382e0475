"""What pages and the API share about transition fields: their description and uploads."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from web.auth import actor
from web.i18n import lang
from web.uow import get_uow, rectify
from workflow.guards import earliest_dates
from workflow.models import Attachment, Finding
from workflow.services.evidence import upload
from workflow.spec.model import FieldSpec, TransitionSpec

ID_MAX = 2**31 - 1  # PostgreSQL INTEGER: no row has a larger id, and larger must not reach the database


def field_out(spec: FieldSpec, today: date, earliest: date | None = None) -> dict[str, Any]:
    """A field as the API and the forms describe it: absolute dates, labels in the user's language.

    `earliest`: a date a guard needs at least (e.g. the day after the due date), raising min_date."""
    code = lang()
    min_date = today + timedelta(days=spec.min_days) if spec.min_days is not None else None
    if earliest is not None:
        min_date = max(min_date, earliest) if min_date else earliest
    return {
        "name": spec.name, "type": spec.type, "label": spec.label(code), "required": spec.required,
        "min_length": spec.min_length, "max_length": spec.max_length,
        "min_date": min_date,
        "max_date": today + timedelta(days=spec.max_days) if spec.max_days is not None else None,
        "minimum": spec.minimum, "maximum": spec.maximum, "integer": spec.integer,
        "min_count": spec.min_count, "max_count": spec.max_count,
        "choices": [{"value": c.value, "label": c.zh if code == "zh" else c.en}
                    for c in spec.choices],
    }


def form_fields(spec: TransitionSpec, finding: Finding, today: date) -> list[dict[str, Any]]:
    """The fields of a transition's form on this finding: date limits include its guards'."""
    earliest = earliest_dates(spec, finding)
    return [field_out(f, today, earliest.get(f.name)) for f in spec.fields]


def store_upload(storage: Any) -> Attachment:
    """Store one uploaded werkzeug FileStorage through the engine's checks (the service
    commits it)."""
    data = storage.read(rectify().settings.max_upload_bytes + 1)
    return upload(get_uow(), actor(), data, storage.filename or "")
