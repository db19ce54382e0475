"""The finding page's Discussion card: the thread, and what its forms show after a refusal."""

from __future__ import annotations

from typing import Any

from web.auth import actor
from web.forms import field_out
from web.uow import get_uow
from workflow.models import Finding
from workflow.services.comments import FILES, TEXT, thread


def discussion_view(finding: Finding, state: dict[str, Any] | None = None) -> dict[str, Any]:
    """The comments, the fields of the forms, and a refused form's errors and typed values
    (`editing`: the seq of the comment whose edit form was refused; None: the new comment)."""
    uow, state = get_uow(), state or {}
    return {"comments": thread(uow.session, actor(), finding),
            "text_field": field_out(TEXT, uow.today()),
            "files_field": field_out(FILES, uow.today()),
            "errors": state.get("errors", {}), "typed": state.get("typed", {}),
            "editing": state.get("editing")}
