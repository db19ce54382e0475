"""What a letter and a reply must carry: subject, text, addressees, reply deadline, kind; every
field that is wrong is named in zh and en, and nothing is written."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from workflow.errors import InvalidInput, InvalidPayload
from workflow.models import Unit, User
from workflow.payload import Lookup, clean
from workflow.services.unit_offer import Offer, offer_for
from workflow.spec.model import Choice, FieldSpec
from workflow.text import TextRefused, as_id, clean_text

if TYPE_CHECKING:
    from workflow.runtime import UnitOfWork

# kind -> (zh, en): the letters a body sends; 提醒函 is the default.
LETTER_KINDS: dict[str, tuple[str, str]] = {
    "reminder": ("提醒函", "Reminder letter"),
    "urging": ("督办函", "Urging letter"),
    "liaison": ("联系函", "Liaison letter"),
}
SUBJECT_MAX = 300
TEXT_MAX = 8000
REPLY_MAX = 8000
MAX_ADDRESSEES = 20
REPLY_MAX_FILES = 10
DEFAULT_REPLY_WORKING_DAYS = 5

_FIELDS = (
    FieldSpec("text", "text", "正文", "Text", required=True, max_length=TEXT_MAX),
    FieldSpec("reply_due_date", "date", "回复期限", "Reply due date", min_days=0, max_days=365),
    FieldSpec("kind", "choice", "文种", "Kind", required=True,
              choices=tuple(Choice(k, zh, en) for k, (zh, en) in LETTER_KINDS.items())),
)
_REPLY_FIELDS = (
    FieldSpec("text", "text", "回复内容", "Reply", required=True, max_length=REPLY_MAX),
    FieldSpec("attachments", "files", "附件", "Attachments", max_count=REPLY_MAX_FILES),
)


@dataclass(frozen=True)
class LetterInput:
    subject: str
    text: str
    kind: str
    addressees: list[Unit]
    reply_due_date: date


def clean_letter(uow: UnitOfWork, actor: User, subject: object, text: object,
                 addressee_ids: object, reply_due_date: object, kind: object) -> LetterInput:
    """The letter's fields checked together; InvalidInput naming every wrong one."""
    errors: dict[str, dict[str, str]] = {}
    lookup = Lookup(uow.session, uow.today(), lambda unit: True, lambda attachment: False)
    values: dict[str, Any] = {}
    try:
        values = clean(_FIELDS, {"text": text, "reply_due_date": reply_due_date, "kind": kind},
                       lookup).values
    except InvalidPayload as exc:
        errors.update(exc.errors)
    subject_text = _subject(subject, errors)
    units = _addressees(uow, actor, addressee_ids, errors)
    if errors:
        raise InvalidInput(errors)
    due = values.get("reply_due_date") or uow.calendar.add_working_days(
        uow.today(), DEFAULT_REPLY_WORKING_DAYS).date
    return LetterInput(subject_text, values["text"], values["kind"], units, due)


def clean_reply(uow: UnitOfWork, actor: User, text: object,
                attachments: Sequence[str]) -> tuple[str, list[Any]]:
    """The reply's text and its files (uploads of the actor only), or InvalidInput."""
    lookup = Lookup(uow.session, uow.today(), lambda unit: False,
                    lambda attachment: attachment.uploaded_by_id == actor.id)
    cleaned = clean(_REPLY_FIELDS, {"text": text, "attachments": list(attachments)}, lookup)
    return cleaned.values["text"], cleaned.attachments


def _subject(raw: object, errors: dict[str, dict[str, str]]) -> str:
    if not isinstance(raw, str):
        errors["subject"] = {"zh": "此项必填。", "en": "This field is required."}
        return ""
    try:  # one line: a subject is a title
        value = clean_text(raw, multiline=False, required=True).strip()
    except TextRefused as refused:
        errors["subject"] = refused.message
        return ""
    if len(value) > SUBJECT_MAX:
        errors["subject"] = {"zh": f"最多 {SUBJECT_MAX} 个字。",
                             "en": f"Enter at most {SUBJECT_MAX} characters."}
    return value


def _addressees(uow: UnitOfWork, actor: User, raw: object,
                errors: dict[str, dict[str, str]]) -> list[Unit]:
    """1..MAX_ADDRESSEES distinct units the "letter" offer lists (unit_offer: the picker shows
    the same); the first wrong one is named by its code."""
    items = [raw] if isinstance(raw, int | str) and raw != "" else raw
    if not isinstance(items, list | tuple) or not items:
        errors["addressees"] = {"zh": "至少选择一个收文单位。", "en": "Choose at least one addressee."}
        return []
    if len(items) > MAX_ADDRESSEES:
        errors["addressees"] = {"zh": f"最多 {MAX_ADDRESSEES} 个收文单位。",
                                "en": f"Choose at most {MAX_ADDRESSEES} addressees."}
        return []
    ids = [as_id(item) for item in items]
    offer = offer_for(uow, actor, "letter")
    units = {u.id: u for u in uow.session.scalars(select(Unit).where(
        Unit.id.in_({i for i in ids if i})))}
    offered = set(uow.session.scalars(select(Unit.id).where(Unit.id.in_(units), offer.visible())))
    seen: set[int] = set()
    for item, unit_id in zip(items, ids, strict=True):
        unit = units.get(unit_id) if unit_id else None
        problem = _addressee_problem(item, unit, offer, offered, seen)
        if problem:
            errors["addressees"] = problem
            return []
        seen.add(unit_id or 0)
    return [units[i] for i in ids if i]


def _addressee_problem(item: object, unit: Unit | None, offer: Offer, offered: set[int],
                       seen: set[int]) -> dict[str, str] | None:
    if unit is None and (isinstance(item, bool) or not isinstance(item, str | int)):
        return {"zh": "应为单位编号的列表。", "en": "Send a list of unit ids."}
    if unit is None:  # an id that is no unit, or a code typed without script that none has
        shown = str(item).strip()[:64]
        return {"zh": f"没有这个单位：{shown}。", "en": f"There is no unit {shown}."}
    if not offer.selectable(unit.id):
        return {"zh": f"不能向本单位（发文单位 {unit.code}）发函。",
                "en": f"The issuing body ({unit.code}) cannot address itself."}
    if unit.id not in offered:
        return {"zh": f"单位 {unit.code} 已停用，不能作为收文单位。",
                "en": f"Unit {unit.code} is deactivated and cannot be addressed."}
    if unit.id in seen:
        return {"zh": f"收文单位重复：{unit.code}。", "en": f"Unit {unit.code} is listed twice."}
    return None
