"""Demo steps that are not transitions: letters sent from a finding and their replies, comments,
and steps taken on a child finding split off a story's finding."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import select

from workflow.demo.model import Step
from workflow.models import Finding, Unit, User
from workflow.services.comments import add_comment
from workflow.services.letters import reply_to_letter, send_letter

if TYPE_CHECKING:
    from workflow.demo.loader import Loader

Value = Callable[[object], object]


def child_of(loader: Loader, parent: Finding, unit_code: str) -> Finding:
    """The child finding of `parent` whose responsible unit has this code."""
    child = loader.uow.session.scalar(
        select(Finding).join(Unit, Finding.unit_id == Unit.id)
        .where(Finding.parent_id == parent.id, Unit.code == unit_code))
    if child is None:
        raise ValueError(f"demo: {parent.code} has no child finding for unit {unit_code}")
    return child


def act(loader: Loader, finding: Finding, step: Step, actor: User, value: Value) -> None:
    """Take an "@" step: @letter (key, to: unit codes, subject, text, reply_due), @reply
    (letter: key, text), @comment (text)."""
    data = {name: value(item) for name, item in step.payload.items()}
    if step.trigger == "@letter":
        letter = send_letter(loader.uow, actor, data["subject"], data["text"],
                             [loader.units[code].id for code in step.payload["to"]],  # type: ignore[attr-defined]
                             data.get("reply_due"), finding_id=finding.id)
        loader.letters[str(data["key"])] = letter.id
    elif step.trigger == "@reply":
        reply_to_letter(loader.uow, actor, loader.letters[str(data["letter"])], data["text"],
                        list(data.get("files") or []))  # type: ignore[call-overload]
    elif step.trigger == "@comment":
        add_comment(loader.uow, actor, finding.id, data["text"])
    else:
        raise ValueError(f"demo: unknown step {step.trigger!r}")
