"""fire(): check scope, trigger, role, payload, guards; then state, event and effects in one commit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.exc import StaleDataError

from workflow.errors import (
    DefinitionError,
    Forbidden,
    GuardFailed,
    StaleFinding,
    TransitionNotAllowed,
    UnknownFinding,
)
from workflow.guards import EFFECTS, GUARDS, Context, offered
from workflow.machine import next_state
from workflow.models import Event, Finding, FindingAttachment, User
from workflow.payload import Cleaned, Lookup, clean
from workflow.services.audience import may_notify
from workflow.services.clocks import due_date_change, reschedule
from workflow.services.events import chain_event
from workflow.services.finding_read import finding_with_units
from workflow.services.notify import first_text, notify, params_for
from workflow.services.scope import sees_finding, takes_side, unit_in_scope
from workflow.services.transition_write import save_transition
from workflow.spec.model import Lifecycle, TransitionSpec

if TYPE_CHECKING:
    from workflow.runtime import UnitOfWork


def get_finding(session: Session, actor: User, finding_id: int,
                with_people: bool = False) -> Finding:
    """The finding if it exists and the actor may see it; UnknownFinding otherwise. One
    primary-key read with what every fire checks (its unit and the raising body: one Core
    SELECT, `finding_with_units`, which `with_people` also reads the people its notifications
    may need with); the scope is checked on the loaded unit paths (`sees_finding`), not by a
    subquery over every unit."""
    finding = finding_with_units(session, finding_id, with_people)
    if finding is None or not sees_finding(session, actor, finding):
        raise UnknownFinding(finding_id)
    return finding


def lifecycle_of(uow: UnitOfWork, finding: Finding) -> Lifecycle:
    """The exact definition the finding runs on; refuses if that file changed under it."""
    lifecycle = uow.registry.get(finding.lifecycle, finding.lifecycle_version)
    if lifecycle.digest != finding.definition_hash:
        raise DefinitionError([f"{lifecycle.key} changed after finding {finding.code} started on "
                               "it; restore the file and publish changes as a new version"])
    return lifecycle


def available_transitions(uow: UnitOfWork, finding: Finding, actor: User) -> list[TransitionSpec]:
    """Transitions from the finding's state that the actor may fire now (guards run on fire)."""
    lifecycle = lifecycle_of(uow, finding)
    ctx = Context(uow.session, finding, actor, {}, uow.now(), uow.today(), lifecycle, uow)
    return [t for t in lifecycle.transitions_from(finding.state)
            if refusal(actor, t, finding) is None and offered(ctx, t)]


def check_fire(uow: UnitOfWork, finding: Finding, trigger: str, actor: User,
               expected_version: int | None = None) -> TransitionSpec:
    """May this actor fire this trigger on this (visible) finding now: the transition, or the
    error (StaleFinding, TransitionNotAllowed, Forbidden). fire(), pages and API all ask here."""
    return _checked(uow, finding, trigger, actor, expected_version)[1]


def may_fire(uow: UnitOfWork, finding: Finding, trigger: str, actor: User) -> bool:
    """check_fire's answer as yes or no, for a table that asks it of every row: without the
    refusal's list of the steps allowed instead (that list runs every guard: one query a row)."""
    try:
        spec = lifecycle_of(uow, finding).transition(finding.state, trigger)
    except DefinitionError:  # its definition changed under it: check_fire refuses too
        return False
    return spec is not None and refusal(actor, spec, finding) is None


def _checked(uow: UnitOfWork, finding: Finding, trigger: str, actor: User,
             expected_version: int | None) -> tuple[Lifecycle, TransitionSpec]:
    """check_fire, also handing back the definition it looked up (fire needs it too)."""
    if expected_version is not None and expected_version != finding.version:
        raise StaleFinding(finding.id, expected_version, finding.version)
    lifecycle = lifecycle_of(uow, finding)
    spec = lifecycle.transition(finding.state, trigger)
    if spec is None:
        allowed = [t.trigger for t in available_transitions(uow, finding, actor)]
        raise TransitionNotAllowed(trigger, finding.state, allowed)
    refused = refusal(actor, spec, finding)
    if refused is not None:
        raise refused
    return lifecycle, spec


def refusal(actor: User, spec: TransitionSpec, finding: Finding) -> Forbidden | None:
    """Why the actor's roles or side do not allow the transition, or None."""
    if not actor.role_set.intersection(spec.roles):
        return Forbidden(f"The step '{spec.trigger}' needs one of the roles: {', '.join(spec.roles)}.")
    if not any(takes_side(actor, side, finding) for side in spec.sides):
        text = f"The step '{spec.trigger}' is for " + " or ".join(_SIDE_TEXT[s] for s in spec.sides) + "."
        if not unit_in_scope(actor, finding.unit):  # it sees the finding as a party only
            return Forbidden(text, _PARTY_ONLY)
        return Forbidden(text, either([_SIDE_REASONS[s] for s in spec.sides]))
    return None


def either(reasons: list[dict[str, str]]) -> dict[str, str]:
    """One sentence from several reasons, any of which would allow the step: in English
    "A; or b." (each reason is a sentence of its own), in Chinese "甲；乙。"."""
    if len(reasons) == 1:
        return dict(reasons[0])
    en = [r["en"].rstrip(".") for r in reasons]
    english = "; or ".join([en[0], *(e[:1].lower() + e[1:] for e in en[1:])]) + "."
    chinese = "；".join(r["zh"].rstrip("。") for r in reasons) + "。"
    return {"en": english, "zh": chinese}


_PARTY_ONLY = {"zh": "本单位只作为该问题的协办方（受理、牵头或配合单位）参与，此操作不由本单位办理。",
               "en": "Your unit takes part in this finding only as a party (the body addressed, "
                     "the lead or a co-responsible unit): this step is not yours."}
_SIDE_TEXT = {
    "responsible": "the responsible side of this finding: the unit itself",
    "inspecting": "the inspecting side of this finding: the body that raised it or one above, "
                  "never its own unit",
    "addressee": "the body the escalation is addressed to",
    "lead": "the lead coordinating body",
    "co_responsible": "a co-responsible unit",
}
_SIDE_REASONS = {  # nobody both does the work and checks it; a party acts only as that party
    "responsible": {"zh": "此操作由责任单位办理，提出问题的检查机构及其上级不能代办。",
                    "en": "This step is the responsible unit's: the body that raised the finding "
                          "and those above it cannot take it."},
    "inspecting": {"zh": "此操作由提出问题的检查机构或其上级办理，责任单位本身不能办理。",
                   "en": "This step is for the body that raised the finding or one above it, "
                         "never for the finding's own unit."},
    "addressee": {"zh": "此操作只能由该问题上报的受理机构办理。",
                  "en": "This step is only for the body the escalation is addressed to."},
    "lead": {"zh": "此操作只能由牵头单位办理。", "en": "This step is only for the lead body."},
    "co_responsible": {"zh": "此操作只能由配合单位办理，且只办理本单位负责的部分。",
                       "en": "This step is only for a co-responsible unit, on its own part."},
}


def history(session: Session, finding: Finding) -> list[Event]:
    return list(session.scalars(
        select(Event).where(Event.finding_id == finding.id).order_by(Event.seq)
        .options(joinedload(Event.actor))
    ))


def fire(uow: UnitOfWork, finding_id: int, trigger: str, actor: User,
         payload: Mapping[str, Any], expected_version: int | None = None,
         commit: bool = True) -> Finding:
    """Fire one transition and commit it, or raise and change nothing. `commit=False` leaves
    the transition flushed in the caller's transaction (two steps in one submission)."""
    session = uow.session
    finding = get_finding(session, actor, finding_id, may_notify(uow.registry, trigger))
    lifecycle, spec = _checked(uow, finding, trigger, actor, expected_version)
    now = uow.now()
    cleaned = clean(spec.fields, payload, payload_lookup(uow, finding, actor))
    ctx = Context(session, finding, actor, cleaned.values, now, uow.today(), lifecycle, uow)
    check_guards(ctx, spec)
    try:  # any write from here on may find the row changed by a concurrent fire
        notes: list[dict[str, Any]] = []  # the notifications, written with the transition
        event = write_transition(uow, ctx, lifecycle, spec, cleaned, notes)
        save_transition(session, finding, event, notes)
        session.flush()  # what else the transition added (evidence links, outbox, parties)
        if commit:
            uow.commit()
    except (StaleFinding, StaleDataError, IntegrityError):
        session.rollback()
        raise StaleFinding(finding_id, expected_version, None) from None
    return finding


def check_guards(ctx: Context, spec: TransitionSpec) -> None:
    """GuardFailed from the first of the transition's guards that refuses."""
    for guard in spec.guards:
        message = GUARDS[guard.name].check(ctx, guard.params)
        if message is not None:
            raise GuardFailed(guard.name, message, GUARDS[guard.name].field_of(guard.params))


def write_transition(uow: UnitOfWork, ctx: Context, lifecycle: Lifecycle, spec: TransitionSpec,
                     cleaned: Cleaned, notes: list[dict[str, Any]] | None = None) -> Event:
    """The new state, the effects, the ladder, the event and its notifications; the event is
    the caller's to write (save_transition, or session.add), and so are the notifications'
    rows when `notes` is given (added to it; otherwise inserted here). The checks (scope,
    role, side, guards) are the caller's too."""
    finding, actor, now = ctx.finding, ctx.actor, ctx.now
    source, due_before = finding.state, finding.due_date
    finding.state = next_state(lifecycle.machine, source, spec.trigger)
    final = lifecycle.is_final(finding.state)
    if final != lifecycle.is_final(source):  # a look-back on a closed finding stays closed
        finding.is_open = not final
        finding.closed_at = now if final else None
    if final:
        finding.pending_due_date = None  # an undecided extension request ends with the finding
    finding.updated_at = now
    for effect in spec.effects:
        EFFECTS[effect.name].apply(ctx, effect.params)
    reschedule(lifecycle, finding, uow.calendar)
    record = {**cleaned.record, **ctx.facts}
    if finding.due_date != due_before:  # the due-date history is read from these
        record = dict(record, due_date_change=due_date_change(due_before, finding.due_date))
    event = chain_event(ctx.session, finding, spec.trigger, source, finding.state, actor,
                        record, now, cleaned.attachments)
    for step in ctx.later:
        step()
    if ctx.notices:  # reads only people: the transition's rows flush once, with the notices
        with ctx.session.no_autoflush:
            notify(ctx.session, finding, event, ctx.notices, "transition",
                   params_for(finding, {"zh": spec.zh, "en": spec.en}, actor,
                              first_text(cleaned.record, NOTE_FIELDS)), now, exclude=actor,
                   into=notes)
    return event


NOTE_FIELDS = ("message", "reason", "comment", "justification", "requirement", "measures",
               "observations", "conclusion")


def payload_lookup(uow: UnitOfWork, finding: Finding, actor: User) -> Lookup:
    """What cleaning a payload on this finding needs: its files are the actor's own uploads or
    ones already on the finding, its units those in the actor's scope."""
    session = uow.session

    def attachment_allowed(attachment: Any) -> bool:
        if attachment.uploaded_by_id == actor.id:
            return True
        link = session.get(FindingAttachment, (finding.id, attachment.id))
        return link is not None

    return Lookup(session=session, today=uow.today(),
                  unit_in_scope=lambda unit: unit_in_scope(actor, unit),
                  attachment_allowed=attachment_allowed)
