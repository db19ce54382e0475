"""raise_finding(): a new finding on the newest version of a lifecycle, with its first event."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workflow.catalog import CATEGORIES, SEVERITIES, as_choices
from workflow.errors import Forbidden, InvalidInput, UnknownLifecycle
from workflow.guards import EFFECTS, Context
from workflow.models import Attachment, CodeCounter, Finding, Inspection, Unit, User
from workflow.payload import Lookup, clean, unit_record
from workflow.services.clocks import due_date_change, reschedule
from workflow.services.duplicates import recurrence_target
from workflow.services.events import append_event
from workflow.services.firing import fire
from workflow.services.notify import notify, params_for
from workflow.services.scope import unit_in_scope
from workflow.services.two_steps import ASSIGN_FIELDS, assign_on_raise
from workflow.spec.model import FieldSpec, Lifecycle
from workflow.text import as_id

if TYPE_CHECKING:
    from workflow.runtime import UnitOfWork


RAISE_FIELDS = (
    FieldSpec("title", "text", "问题标题", "Title", required=True, min_length=4, max_length=300),
    FieldSpec("description", "text", "问题描述", "Description", max_length=4000),
    FieldSpec("category", "choice", "问题类别", "Category", required=True,
              choices=as_choices(CATEGORIES)),
    FieldSpec("severity", "choice", "严重程度", "Severity", required=True,
              choices=as_choices(SEVERITIES)),
    FieldSpec("unit", "unit", "责任单位", "Responsible unit", required=True),
    FieldSpec("requirement", "text", "整改要求", "Requirement", max_length=2000),
    FieldSpec("due_date", "date", "整改期限", "Due date", min_days=0, max_days=366),
    FieldSpec("evidence", "files", "现场照片", "Photos", max_count=10),
)
RAISE_FIELD_NAMES = frozenset(f.name for f in RAISE_FIELDS)


@dataclass(frozen=True)
class CheckedRaise:
    """A finding that passed every raising rule, ready to be written (check_raise)."""

    spec: Lifecycle
    values: dict[str, Any]
    record: dict[str, Any]
    attachments: list[Attachment]
    inspection: Inspection | None
    original: Finding | None = None  # the closed finding this one repeats


def raise_finding(uow: UnitOfWork, actor: User, lifecycle: str, data: Mapping[str, Any],
                  inspection_id: object = None, recurrence_of: object = None) -> Finding:
    """Create a finding in the lifecycle's initial state, record its 'raise' event, and assign
    it at once when the data carries a requirement and a due date (assign_at_once); commit.

    `inspection_id` is the id as it came (an int from JSON, text from a form): checked here;
    so is `recurrence_of`, a closed finding this one repeats (duplicates.recurrence_target)."""
    checked = check_raise(uow, actor, lifecycle, data, inspection_id, recurrence_of)
    finding = write_raise(uow, actor, checked)
    uow.session.flush()
    assign_at_once(uow, actor, checked, finding, data)
    uow.commit()
    return finding


def assign_at_once(uow: UnitOfWork, actor: User, checked: CheckedRaise, finding: Finding,
                   data: Mapping[str, Any]) -> None:
    """A raise carrying a requirement and a due date also assigns, when the definition allows
    (two_steps.assign_on_raise): that transition fired through fire(), in the raise's
    transaction, with every check; a refusal raises and the caller writes nothing."""
    if not (checked.values.get("requirement") and checked.values.get("due_date")):
        return
    assign = assign_on_raise(checked.spec, actor, RAISE_FIELD_NAMES)
    if assign is not None:
        payload = {name: data.get(name) for name in ASSIGN_FIELDS}
        fire(uow, finding.id, assign.trigger, actor, payload, commit=False)


def check_raise(uow: UnitOfWork, actor: User, lifecycle: str, data: Mapping[str, Any],
                inspection_id: object = None, recurrence_of: object = None) -> CheckedRaise:
    """Every rule a new finding obeys (lifecycle, role, fields, unit, inspection, the finding
    it repeats), writing nothing: InvalidInput naming the fields, or Forbidden."""
    session = uow.session
    try:
        spec = uow.registry.get(lifecycle)
    except UnknownLifecycle:
        raise InvalidInput({"lifecycle": {"zh": "没有这种问题类型。",
                                          "en": "There is no such lifecycle."}}) from None
    if not actor.role_set.intersection(spec.raise_roles):
        raise Forbidden(f"Raising a {spec.name} finding needs one of: {', '.join(spec.raise_roles)}.")
    lookup = Lookup(session, uow.today(), lambda unit: unit_in_scope(actor, unit),
                    lambda attachment: attachment.uploaded_by_id == actor.id)
    cleaned = clean(RAISE_FIELDS, data, lookup)
    unit: Unit = cleaned.values["unit"]
    if unit.id == actor.unit_id:
        raise InvalidInput({"unit": {"zh": "不能对本单位登记问题，应由上级检查机构登记。",
                                     "en": "Findings against your own unit are raised by a body above it."}})
    inspection = _inspection(session, actor, inspection_id, unit)
    original = recurrence_target(session, actor, unit, recurrence_of)
    return CheckedRaise(spec, cleaned.values, cleaned.record, cleaned.attachments, inspection,
                        original)


def write_raise(uow: UnitOfWork, actor: User, checked: CheckedRaise) -> Finding:
    """Write a checked finding and its 'raise' event in the caller's transaction (no commit)."""
    spec, values, inspection, original = (checked.spec, checked.values, checked.inspection,
                                          checked.original)
    unit: Unit = values["unit"]
    now = uow.now()
    finding = Finding(
        code=next_code(uow.session, now.astimezone(uow.zone).year),
        title=values["title"], description=values.get("description", ""),
        category=values["category"], severity=values["severity"],
        unit_id=unit.id, unit=unit, inspection_id=inspection.id if inspection else None,
        campaign_id=inspection.campaign_id if inspection else None,
        requirement=values.get("requirement", ""),
        due_date=values.get("due_date"), lifecycle=spec.name,
        lifecycle_version=spec.version, definition_hash=spec.digest, state=spec.initial,
        is_open=True, rework_rounds=0, raised_by_id=actor.id, raised_by_unit_id=actor.unit_id,
        raised_by_unit=actor.unit, created_at=now, updated_at=now,
        last_seq=0, last_hash="", due_basis=spec.deadlines.basis,
        recurrence_of_id=original.id if original else None,
    )
    uow.session.add(finding)
    record = dict(checked.record, lifecycle=spec.key, inspection=finding.inspection_id)
    if original is not None:
        record["recurrence_of"] = original.code
    start(uow, spec, finding, actor, record, checked.attachments)
    return finding


def start(uow: UnitOfWork, spec: Lifecycle, finding: Finding, actor: User,
           record: dict[str, Any], attachments: Sequence[Attachment] = ()) -> None:
    """What raising sets off (the definition's raise_effects), the ladder, the 'raise' event
    and its notifications."""
    ctx = Context(uow.session, finding, actor, {}, finding.created_at, uow.today(), spec, uow)
    due_before = finding.due_date
    for effect in spec.raise_effects:
        EFFECTS[effect.name].apply(ctx, effect.params)
    if finding.due_date != due_before:  # a default due date: the history reads it from here
        record = dict(record, due_date_change=due_date_change(due_before, finding.due_date))
    reschedule(spec, finding, uow.calendar)
    event = append_event(uow.session, finding, "raise", None, spec.initial, actor, record,
                         finding.created_at, attachments)
    if ctx.notices:
        uow.session.flush()  # the messages carry the new finding's id (its link)
        label = {"zh": "登记问题", "en": "Finding raised"}
        notify(uow.session, finding, event, ctx.notices, "transition",
               params_for(finding, label, actor, finding.requirement), finding.created_at,
               exclude=actor)


def raise_recurrence(uow: UnitOfWork, original: Finding, actor: User, now: datetime) -> Finding:
    """A new finding for a problem that came back after closing, linked to the original, on the
    newest version of its lifecycle; in the caller's transaction (a look-back's effect)."""
    spec = uow.registry.get(original.lifecycle)
    code = next_code(uow.session, now.astimezone(uow.zone).year)
    finding = derived_finding(uow, spec, original, actor, now, code, recurrence_of_id=original.id)
    start(uow, spec, finding, actor, {"lifecycle": spec.key, "recurrence_of": original.code,
                                      "unit": unit_record(finding.unit)})  # as_of reads it
    return finding


def derived_finding(uow: UnitOfWork, spec: Lifecycle, source: Finding, actor: User,
                    now: datetime, code: str, **changes: Any) -> Finding:
    """A new finding (added to the session) raised by the actor from another one: its title,
    description, category, severity, unit, inspection, campaign and requirement unless
    `changes` says otherwise; no due date; at the start of `spec`."""
    values: dict[str, Any] = {
        "title": source.title, "description": source.description, "category": source.category,
        "severity": source.severity, "unit_id": source.unit_id, "unit": source.unit,
        "inspection_id": source.inspection_id, "campaign_id": source.campaign_id,
        "requirement": source.requirement, "due_date": None, **changes}
    finding = Finding(
        code=code, **values, lifecycle=spec.name, lifecycle_version=spec.version,
        definition_hash=spec.digest, state=spec.initial, is_open=True, rework_rounds=0,
        raised_by_id=actor.id, raised_by_unit_id=actor.unit_id,
        # this session's copy: the actor may come from another one (its unit would clash with
        # the source's raising body, already loaded here)
        raised_by_unit=uow.session.get(Unit, actor.unit_id), created_at=now, updated_at=now,
        last_seq=0, last_hash="", due_basis=spec.deadlines.basis,
    )
    uow.session.add(finding)
    return finding


def _inspection(session: Session, actor: User, raw: object, unit: Unit) -> Inspection | None:
    """The inspection a finding comes from: in the actor's scope, of the finding's unit or a
    unit above it; none when the field is left empty, a field error for anything else."""
    if raw is None or raw == "":
        return None
    inspection_id = as_id(raw)
    inspection = session.get(Inspection, inspection_id) if inspection_id else None
    if inspection is None or not unit_in_scope(actor, inspection.unit):
        raise InvalidInput({"inspection": {"zh": "检查记录不存在或不在您的管辖范围内。",
                                           "en": "There is no such inspection within your scope."}})
    if not unit.path.startswith(inspection.unit.path):
        raise InvalidInput({"inspection": {
            "zh": "该检查记录检查的是其他单位，不包括本问题的责任单位。",
            "en": "That inspection was of another unit, not of this finding's unit."}})
    return inspection


def next_code(session: Session, year: int) -> str:
    """Next code of the year, e.g. 2026-0001; the counter row serialises concurrent raisers."""
    for _ in range(3):
        last = session.scalar(
            update(CodeCounter).where(CodeCounter.year == year)
            .values(last=CodeCounter.last + 1).returning(CodeCounter.last)
        )
        if last is not None:
            return f"{year}-{last:04d}"
        try:
            with session.begin_nested():
                session.add(CodeCounter(year=year, last=1))
            return f"{year}-0001"
        except IntegrityError:
            continue
    raise RuntimeError("could not allocate a finding code")


