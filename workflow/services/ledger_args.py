"""The ledger's query arguments: one schema, one parsing function (page, API, exports, CLI)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate

from workflow.catalog import CATEGORIES, SEVERITIES
from workflow.errors import InvalidInput
from workflow.services.ledger import COLOURS, LedgerFilter
from workflow.services.ledger_sorts import SORTS
from workflow.services.stats_kinds import KINDS, STAGES, outcomes_of
from workflow.spec import Registry
from workflow.text import TextRefused, as_id, clean_text

_TRUE_OR_FALSE = ("应为 true 或 false。", "Enter true or false.")
_A_DATE = ("应为日期，如 2026-01-31。", "Enter a date like 2026-01-31.")


def _one_of(values: Iterable[str]) -> tuple[str, str]:
    chosen = list(values)
    return f"应为以下之一：{'、'.join(chosen)}。", f"Choose one of: {', '.join(chosen)}."


MESSAGES = {  # one message per argument, for anything its field refuses
    "state": ("没有这个状态。", "There is no such state."),
    "lifecycle": ("没有这种问题类型。", "There is no such lifecycle."),
    "unit": ("应为单位编号。", "Enter a unit id."),
    "unit_only": _TRUE_OR_FALSE,
    "campaign": ("应为检查活动编号。", "Enter a campaign id."),
    "category": _one_of(CATEGORIES),
    "severity": _one_of(SEVERITIES),
    "overdue": _TRUE_OR_FALSE,
    "review_overdue": _TRUE_OR_FALSE,
    "acknowledge_overdue": _TRUE_OR_FALSE,
    "open": _TRUE_OR_FALSE,
    "light": ("应为 green、yellow 或 red。", "Choose green, yellow or red."),
    "unacknowledged": _TRUE_OR_FALSE,
    "q": ("最多 200 个字。", "Enter at most 200 characters."),
    "sort": (f"排序应为 {'、'.join(SORTS)} 之一。", f"Sort by one of: {', '.join(SORTS)}."),
    "cursor": ("分页游标无效。", "This page cursor is not valid: start from the first page."),
    "raised_by": ("应为用户编号。", "Enter a user id."),
    "raised_from": _A_DATE,
    "raised_to": _A_DATE,
    "kind": ("应为 problem 或 suggestion。", "Choose problem or suggestion."),
    "stage": _one_of(STAGES),
    "limit": ("应为 1 到 500 之间的整数。", "Enter a whole number from 1 to 500."),
    "as_of": ("应为日期或日期时间，如 2026-11-09 或 2026-11-09T18:00（北京时间）。",
              "Enter a date, or a date and time, like 2026-11-09 or 2026-11-09T18:00 (local time)."),
}
_FUTURE = {"as_of": {"zh": "截至时间不能晚于现在。", "en": "The as-of moment must not be in the future."}}


class Text(fields.Str):
    """Single-line text through the one text rule (workflow.text), in NFC."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return clean_text(text)
        except TextRefused as refused:
            raise ValidationError(refused.message) from None  # {'zh': ..., 'en': ...}


class Id(fields.Int):
    """A row id: a JSON integer (strict) or also ASCII digits, within the databases' range
    (never 8.9 or "٨"); workflow.text.as_id."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        number = None if self.strict and not isinstance(value, int) else as_id(value)
        if number is None:
            raise self.make_error("invalid")
        return number


class LedgerArgs(Schema):
    """Filters, sort and page of the ledger; unknown parameters are ignored, blank ones absent."""

    class Meta:
        unknown = EXCLUDE

    state = fields.List(Text(validate=validate.Length(min=1, max=64)))
    lifecycle = Text(validate=validate.Length(min=1, max=64))
    unit = Id(strict=False)
    unit_only = fields.Bool(metadata={
        "description": "true: the unit's own findings only, not its sub-units' (with unit)"})
    campaign = Id(strict=False)
    category = fields.Str(validate=validate.OneOf(list(CATEGORIES)))
    severity = fields.Str(validate=validate.OneOf(list(SEVERITIES)))
    overdue = fields.Bool()
    review_overdue = fields.Bool(metadata={"description": "true: the follow-up check is late"})
    acknowledge_overdue = fields.Bool(metadata={"description": "true: 签收 deadline passed"})
    open = fields.Bool()
    light = fields.Str(validate=validate.OneOf(list(COLOURS)))
    unacknowledged = fields.Bool(metadata={"description": "true: awaiting the unit's 签收"})
    q = Text(validate=validate.Length(max=200))
    sort = fields.Str(load_default="-created", validate=validate.OneOf(list(SORTS)))
    cursor = Text(validate=validate.Length(max=500))
    raised_by = Id(strict=False, metadata={"description": "Raised by this user (inspector)"})
    raised_from = fields.Date(metadata={"description": "Raised on or after this local date"})
    raised_to = fields.Date(metadata={"description": "Raised on or before this local date"})
    kind = fields.Str(validate=validate.OneOf(list(KINDS)))
    stage = fields.Str(validate=validate.OneOf(list(STAGES)), metadata={
        "description": "One counted figure of the statistics (README: Statistics)"})
    limit = Id(strict=False, load_default=50, validate=validate.Range(min=1, max=500))
    as_of = Text(validate=validate.Length(min=1, max=40), metadata={
        "description": "the ledger as of this past moment: an ISO date (its end) or date and "
                       "time, in the organisation's time zone unless an offset is given"})

    @pre_load
    def _drop_blanks(self, data: Mapping[str, Any], **kwargs: Any) -> dict[str, Any]:
        """A form's "any" choice sends an empty value: the same as leaving the filter out."""
        out: dict[str, Any] = {}
        for key, value in data.items():
            if isinstance(value, list | tuple):
                value = [v for v in value if v not in ("", None)]
            if value not in ("", None, []):
                out[key] = value
        return out

    def handle_error(self, error: ValidationError, data: Any, **kwargs: Any) -> None:
        """Field errors as the engine gives them: each argument named, in zh and en."""
        raise InvalidInput({name: _message(name, problem)
                            for name, problem in _by_field(error.messages).items()})


@dataclass(frozen=True)
class LedgerQuery:
    filter: LedgerFilter
    cursor: str | None = None
    limit: int = 50


SHANGHAI = ZoneInfo("Asia/Shanghai")


def parse_ledger_args(args: Mapping[str, Any], registry: Registry,
                      now: datetime | None = None, zone: tzinfo = SHANGHAI) -> LedgerQuery:
    """Raw arguments (a query string's MultiDict, or a dict of lists) -> a checked LedgerQuery."""
    getlist = getattr(args, "getlist", None)
    plain = {key: (getlist(key) if getlist and key == "state" else args[key]) for key in args}
    return ledger_query(LedgerArgs().load(plain), registry, now, zone)


def day_start(day: date | None, zone: tzinfo, days_after: int = 0) -> datetime | None:
    """The moment a local day (plus days_after) begins, or None (no day, or none after it)."""
    try:
        return None if day is None else datetime.combine(
            day + timedelta(days=days_after), time(), zone).astimezone(UTC)
    except OverflowError:  # beyond either end of the calendar: no bound
        return None


def ledger_query(data: Mapping[str, Any], registry: Registry, now: datetime | None = None,
                 zone: tzinfo = SHANGHAI) -> LedgerQuery:
    """LedgerArgs' output -> a LedgerQuery; state and lifecycle names must exist in a definition.
    `as_of` is read in `zone` and must not be after `now` (without now: refused)."""
    lifecycles = {lc.name: {s.name for s in lc.states} for lc in registry.latest()}
    errors: dict[str, dict[str, str]] = {}
    lifecycle, states = data.get("lifecycle"), tuple(data.get("state") or ())
    if lifecycle and lifecycle not in lifecycles:
        known = ", ".join(sorted(lifecycles))
        errors["lifecycle"] = {"zh": f"没有这种问题类型：{lifecycle}（可选：{known}）。",
                               "en": f"There is no lifecycle {lifecycle!r}. Known lifecycles: {known}."}
    every_state = set().union(*lifecycles.values())
    unknown = [s for s in states if s not in every_state]
    if unknown:
        errors["state"] = {"zh": f"没有这个状态：{unknown[0]}。", "en": f"There is no state {unknown[0]!r}."}
    if errors:
        raise InvalidInput(errors)
    flt = LedgerFilter(
        states=states, lifecycle=lifecycle, unit_id=data.get("unit"),
        unit_only=data.get("unit_only") or None,
        campaign_id=data.get("campaign"), category=data.get("category"),
        review_overdue=data.get("review_overdue"),
        acknowledge_overdue=data.get("acknowledge_overdue"),
        severity=data.get("severity"), overdue=data.get("overdue"), open=data.get("open"),
        light=data.get("light"), unacknowledged=data.get("unacknowledged"),
        text=(data.get("q") or "").strip() or None,
        sort=data.get("sort", "-created"), raised_by=data.get("raised_by"),
        raised_after=day_start(data.get("raised_from"), zone),
        raised_before=day_start(data.get("raised_to"), zone, 1),
        kind=data.get("kind"), stage=data.get("stage"),
        outcomes=outcomes_of(registry) if data.get("kind") or data.get("stage") else None,
        as_of=as_of_moment(data.get("as_of"), now, zone))
    return LedgerQuery(flt, data.get("cursor"), data.get("limit", 50))


def as_of_moment(text: str | None, now: datetime | None, zone: tzinfo) -> datetime | None:
    """A past moment, aware UTC: a date is the end of that day (today: now); a datetime without
    an offset is in `zone`. InvalidInput naming as_of for anything else or the future."""
    if text is None:
        return None
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime.combine(day, time.max, zone)
            if now is not None and day == now.astimezone(zone).date():
                moment = now
        else:
            moment = datetime.fromisoformat(text)
            moment = moment if moment.tzinfo else moment.replace(tzinfo=zone)
        moment = moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise InvalidInput({"as_of": _message("as_of", None)}) from None
    if now is None or moment > now:
        raise InvalidInput(_FUTURE)
    return moment


def _by_field(messages: Any) -> dict[str, Any]:
    """{field: first problem}: a list field's errors are keyed by index, one level down."""
    out: dict[str, Any] = {}
    for name, problems in (messages if isinstance(messages, dict) else {"_": messages}).items():
        while isinstance(problems, dict) and not {"zh", "en"} <= set(problems):
            problems = next(iter(problems.values()), None)  # {0: [...]} of a list field
        while isinstance(problems, list) and problems:
            problems = problems[0]
        out[str(name)] = problems
    return out


def _message(name: str, problem: Any) -> dict[str, str]:
    if isinstance(problem, dict) and {"zh", "en"} <= set(problem):
        return {"zh": str(problem["zh"]), "en": str(problem["en"])}
    zh, en = MESSAGES.get(name, ("无效。", "This value is not valid."))
    return {"zh": zh, "en": en}
