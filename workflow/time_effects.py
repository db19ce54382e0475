"""Effects on time a definition may name: default due dates, 签收, 复查时限, the clock stopping
while the reviewer has the finding, look-back and recurrence, and notifications."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from workflow.models import Finding
from workflow.rule_context import Context, Effect

if TYPE_CHECKING:  # the spec package imports this module through guards
    from workflow.calendar import Basis
    from workflow.spec.model import Deadlines, Lifecycle


def _lifecycle(ctx: Context) -> Lifecycle:
    assert ctx.lifecycle is not None, "effects on time need the finding's definition"
    return ctx.lifecycle


def _deadlines(ctx: Context) -> Deadlines:
    return _lifecycle(ctx).deadlines


def basis_of(finding: Finding) -> Basis:
    """How the finding's definition counts days (written on the finding when it was raised)."""
    return "calendar" if finding.due_basis == "calendar" else "working"


def _after(ctx: Context, start: date, days: int) -> date:
    assert ctx.uow is not None, "effects on time need the unit of work's calendar"
    return ctx.uow.calendar.deadline(start, days, basis_of(ctx.finding)).date


def _default_due_date(ctx: Context, params: Mapping[str, Any]) -> None:
    """No due date given: the definition's period for the finding's severity, from today."""
    days = _deadlines(ctx).rectify.get(ctx.finding.severity)
    if ctx.finding.due_date is None and days is not None:
        ctx.finding.due_date = _after(ctx, ctx.today, days)


def _await_acknowledgement(ctx: Context, params: Mapping[str, Any]) -> None:
    """The unit (again) owes a 签收, within the definition's period — once it can sign: not in a
    state no transition with `acknowledge` leaves (reassigned before it was handed over)."""
    if not any(rule.name == "acknowledge" for spec in
               _lifecycle(ctx).transitions_from(ctx.finding.state) for rule in spec.effects):
        return
    period = _deadlines(ctx).acknowledge
    ctx.finding.acknowledged_at = None
    ctx.finding.acknowledge_due_date = None if period is None else _after(ctx, ctx.today, period)


def _acknowledge(ctx: Context, params: Mapping[str, Any]) -> None:
    if ctx.finding.acknowledged_at is None:
        ctx.finding.acknowledged_at = ctx.now


def _set_review_due_date(ctx: Context, params: Mapping[str, Any]) -> None:
    period = _deadlines(ctx).review
    if period is not None:
        ctx.finding.review_due_date = _after(ctx, ctx.today, period)


def _resume_clock(ctx: Context, params: Mapping[str, Any]) -> None:
    """Back to the unit after the follow-up check: the days it waited for the reviewer (report
    to today) are added to its due date, so they never count against it."""
    finding = ctx.finding
    if finding.due_date is None or finding.rectified_on is None:
        return
    if basis_of(finding) == "calendar":
        waited = (ctx.today - finding.rectified_on).days
    else:
        assert ctx.uow is not None
        waited = ctx.uow.calendar.working_days_between(finding.rectified_on, ctx.today).days
    if waited > 0:
        finding.due_date = _after(ctx, finding.due_date, waited)


def _schedule_lookback(ctx: Context, params: Mapping[str, Any]) -> None:
    period = _deadlines(ctx).lookback
    if period is not None:
        ctx.finding.lookback_due_date = _after(ctx, ctx.today, period)


def _record_lookback(ctx: Context, params: Mapping[str, Any]) -> None:
    """The look-back is done; "recurred" in the field counts a recurrence and raises a linked
    finding on the same unit, back at the start of the newest version of the lifecycle."""
    ctx.finding.lookback_due_date = None
    if ctx.payload.get(params["field"]) == "recurred":
        from workflow.services.raising import raise_recurrence  # services import this module

        uow, finding, actor, now = ctx.uow, ctx.finding, ctx.actor, ctx.now
        assert uow is not None
        finding.recurrences += 1
        ctx.later.append(lambda: raise_recurrence(uow, finding, actor, now))


def _notify(ctx: Context, params: Mapping[str, Any]) -> None:
    if params["to"] not in ctx.notices:
        ctx.notices.append(params["to"])


TIME_EFFECTS: Mapping[str, Effect] = {
    "default_due_date": Effect(_default_due_date, {}),
    "await_acknowledgement": Effect(_await_acknowledgement, {}),
    "acknowledge": Effect(_acknowledge, {}),
    "set_review_due_date": Effect(_set_review_due_date, {}),
    "resume_clock": Effect(_resume_clock, {}),
    "schedule_lookback": Effect(_schedule_lookback, {}),
    "record_lookback": Effect(_record_lookback, {"field": "field:choice"}),
    "notify": Effect(_notify, {"to": "audience"}),
}
