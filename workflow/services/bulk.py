"""Bulk actions from the ledger: one trigger and one payload fired on many findings, each on its own."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workflow.errors import InvalidInput, NotInLifecycle, RectifyError, UnknownFinding
from workflow.models import Finding, User
from workflow.services.firing import fire, get_finding, lifecycle_of, refusal
from workflow.services.parties import PARTY_ROLES
from workflow.services.scope import load_raising_bodies
from workflow.services.unit_offer import field_purpose
from workflow.spec import Registry
from workflow.spec.model import Lifecycle, TransitionSpec
from workflow.text import as_id, problem

if TYPE_CHECKING:
    from workflow.runtime import UnitOfWork

# The actions a selection may take at once (the verdict "confirm" after a follow-up check).
BULK_TRIGGERS = ("assign", "urge", "confirm", "reassign", "withdraw")
MAX_FINDINGS = 200  # one request: at most this many distinct findings


@dataclass(frozen=True)
class BulkOutcome:
    """What happened to one finding: done (error None, its new state) or refused (error says
    why). A finding the actor may not see has no code, title or state: nothing is told of it."""

    finding_id: int
    code: str | None
    title: str | None
    state: str | None
    state_label: dict[str, str] | None  # zh and en
    error: RectifyError | None

    @property
    def done(self) -> bool:
        return self.error is None


def fire_many(uow: UnitOfWork, actor: User, finding_ids: Iterable[object], trigger: str,
              payload: Mapping[str, Any], versions: Mapping[int, int] | None = None
              ) -> list[BulkOutcome]:
    """Fire `trigger` with `payload` on each finding through fire() (every check of one-by-one),
    each committed on its own so a refusal undoes nothing else. InvalidInput, before anything is
    fired, for a request that cannot be right (ids, trigger, an undeclared or unstorable field)."""
    ids = check_request(uow.registry, finding_ids, trigger, payload)
    return [fire_one(uow, actor, finding_id, trigger, payload, (versions or {}).get(finding_id))
            for finding_id in ids]


def fire_one(uow: UnitOfWork, actor: User, finding_id: int, trigger: str,
             payload: Mapping[str, Any], version: int | None) -> BulkOutcome:
    """One finding in its own transaction: done, or refused with the error and nothing written."""
    try:
        finding = get_finding(uow.session, actor, finding_id)
        check_in_lifecycle(uow, finding, trigger)
        done = fire(uow, finding_id, trigger, actor, payload, version)
    except UnknownFinding as exc:
        uow.session.rollback()
        return BulkOutcome(finding_id, None, None, None, None, exc)
    except RectifyError as exc:
        uow.session.rollback()  # whatever a refused fire left in the session is not written
        return _outcome(uow, get_finding(uow.session, actor, finding_id), exc)
    return _outcome(uow, done, None)


def _outcome(uow: UnitOfWork, finding: Finding, error: RectifyError | None) -> BulkOutcome:
    state = uow.registry.get(finding.lifecycle, finding.lifecycle_version).state(finding.state)
    return BulkOutcome(finding.id, finding.code, finding.title, finding.state,
                       {"zh": state.zh, "en": state.en}, error)


def check_in_lifecycle(uow: UnitOfWork, finding: Finding, trigger: str) -> None:
    """NotInLifecycle when the finding's own lifecycle (its version) has no such step at all."""
    lifecycle = lifecycle_of(uow, finding)
    if not any(t.trigger == trigger for t in lifecycle.transitions):
        raise NotInLifecycle(trigger, finding.state, lifecycle.key)


def check_request(registry: Registry, finding_ids: Iterable[object], trigger: str,
                  payload: Mapping[str, Any]) -> list[int]:
    """The distinct ids in their order; InvalidInput naming each wrong part of the request."""
    errors: dict[str, dict[str, str]] = {}
    ids = list(dict.fromkeys(as_id(v) for v in finding_ids))
    if None in ids:
        errors["findings"] = NOT_IDS
    elif not ids:
        errors["findings"] = NONE_CHOSEN
    elif len(ids) > MAX_FINDINGS:
        errors["findings"] = {"zh": f"一次最多选择 {MAX_FINDINGS} 个问题（选择了 {len(ids)} 个）。",
                              "en": f"Choose at most {MAX_FINDINGS} findings at once ({len(ids)} chosen)."}
    if trigger not in BULK_TRIGGERS:
        errors["trigger"] = {"zh": f"不是可批量办理的操作，应为以下之一：{'、'.join(BULK_TRIGGERS)}。",
                             "en": f"Not a bulk action. Choose one of: {', '.join(BULK_TRIGGERS)}."}
    else:
        errors.update(payload_problems(registry, trigger, payload))
    if errors:
        raise InvalidInput(errors)
    return [i for i in ids if i is not None]


def payload_problems(registry: Registry, trigger: str, payload: Mapping[str, Any]
                     ) -> dict[str, dict[str, str]]:
    """Fields no lifecycle declares for the trigger, and values no field could store."""
    declared = {f.name for lc in registry.all() for t in lc.transitions if t.trigger == trigger
                for f in t.fields}
    errors: dict[str, dict[str, str]] = {}
    for name, value in payload.items():
        if name not in declared:
            errors[name] = UNKNOWN_FIELD
        elif isinstance(value, str) and (why := problem(value, multiline=True)):
            errors[name] = why
        elif not isinstance(value, str | int | None) or isinstance(value, bool):
            errors[name] = {"zh": "应为文本。", "en": "Enter text."}
    return errors


NOT_IDS = {"zh": "问题编号应为正整数。", "en": "Finding ids must be positive whole numbers."}
NONE_CHOSEN = {"zh": "请至少选择一个问题。", "en": "Choose at least one finding."}
UNKNOWN_FIELD = {"zh": "此操作没有这个字段。", "en": "This action has no such field."}


def bulk_forms(registry: Registry) -> dict[str, TransitionSpec]:
    """Each bulk action as the form shows it: its transition in the newest lifecycle having it
    (the shipped lifecycles declare the same fields for it in every version)."""
    return {trigger: spec for trigger, (_lifecycle, spec) in _bulk_sources(registry).items()}


def bulk_field_purposes(registry: Registry) -> dict[str, dict[str, str]]:
    """For each bulk action, its unit fields' picker purposes (trigger -> field -> purpose),
    taken from the lifecycle the form's fields come from."""
    return {trigger: {f.name: field_purpose(lifecycle.name, lifecycle.version, trigger, f.name)
                      for f in spec.fields if f.type == "unit"}
            for trigger, (lifecycle, spec) in _bulk_sources(registry).items()}


def _bulk_sources(registry: Registry) -> dict[str, tuple[Lifecycle, TransitionSpec]]:
    forms: dict[str, tuple[Lifecycle, TransitionSpec]] = {}
    for lifecycle in registry.latest():
        for spec in lifecycle.transitions:
            if spec.trigger in BULK_TRIGGERS:
                forms.setdefault(spec.trigger, (lifecycle, spec))
    return {t: forms[t] for t in BULK_TRIGGERS if t in forms}


def actions_on(uow: UnitOfWork, actor: User, findings: Iterable[Finding]) -> dict[int, list[str]]:
    """The bulk actions the actor's roles and side allow on each finding in its state now (a
    hint for the form: fire_many decides, guards and payload included)."""
    candidates = []
    for finding in findings:
        lifecycle = uow.registry.get(finding.lifecycle, finding.lifecycle_version)
        candidates.append((finding, [spec for t in BULK_TRIGGERS
                                     if (spec := lifecycle.transition(finding.state, t)) is not None]))
    load_raising_bodies(uow.session, [f for f, specs in candidates  # one query, not one a row
                                      if any(_judges_independence(actor, s) for s in specs)])
    return {finding.id: [spec.trigger for spec in specs if refusal(actor, spec, finding) is None]
            for finding, specs in candidates}


def _judges_independence(actor: User, spec: TransitionSpec) -> bool:
    """Whether refusal() reads the finding's raising body for this spec: the actor has one of
    its roles and it may be taken from the responsible or inspecting side."""
    return bool(actor.role_set.intersection(spec.roles)) and any(
        side not in PARTY_ROLES for side in spec.sides)
