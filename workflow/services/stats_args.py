"""The statistics' filters: one schema, one parsing function (dashboard page, API, CLI)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from workflow.catalog import CATEGORIES
from workflow.errors import InvalidInput
from workflow.services.ledger_args import MESSAGES as LEDGER_MESSAGES
from workflow.services.ledger_args import SHANGHAI, Id, Text, as_of_moment, day_start, ledger_query
from workflow.spec import Registry

BUCKETS = ("week", "month")
_YEARS = validate.Range(min=date(2000, 1, 1), max=date(2100, 12, 31))  # bounded trends
_MESSAGES = {  # the ledger's words for the arguments both take
    **{name: LEDGER_MESSAGES[name]
       for name in ("unit", "campaign", "category", "raised_by", "lifecycle", "as_of")},
    "from": ("应为 2000 至 2100 年间的日期，如 2026-01-31。",
             "Enter a date from 2000 to 2100, like 2026-01-31."),
    "to": ("应为 2000 至 2100 年间的日期，如 2026-01-31，且不早于开始日期。",
           "Enter a date from 2000 to 2100, like 2026-01-31, on or after the start date."),
    "bucket": ("应为 week 或 month。", "Choose week or month."),
}


class StatsArgs(Schema):
    """Filters of the statistics; unknown parameters are ignored, blank ones absent."""

    class Meta:
        unknown = EXCLUDE

    unit = Id(strict=False, metadata={"description": "Only this unit's subtree"})
    campaign = Id(strict=False)
    category = fields.Str(validate=validate.OneOf(list(CATEGORIES)))
    raised_by = Id(strict=False, metadata={"description": "Raised by this user (inspector)"})
    lifecycle = Text(validate=validate.Length(min=1, max=64))
    from_ = fields.Date(data_key="from", validate=_YEARS,
                        metadata={"description": "Period start (local date)"})
    to = fields.Date(validate=_YEARS, metadata={"description": "Period end, included (local date)"})
    as_of = Text(validate=validate.Length(min=1, max=40), metadata={
        "description": "Figures as they stood at this past moment: an ISO date (its end) or date "
                       "and time, in the organisation's time zone unless an offset is given "
                       "(the ledger's as_of)"})
    bucket = fields.Str(load_default="month", validate=validate.OneOf(list(BUCKETS)))

    @validates_schema
    def _period_in_order(self, data: Mapping[str, Any], **kwargs: Any) -> None:
        if data.get("from_") and data.get("to") and data["to"] < data["from_"]:
            raise ValidationError("before from", "to")

    def handle_error(self, error: ValidationError, data: Any, **kwargs: Any) -> None:
        """Field errors named, in zh and en."""
        names = error.messages if isinstance(error.messages, dict) else {"_": error.messages}
        pairs = {name: _MESSAGES.get(name, ("无效。", "This value is not valid.")) for name in names}
        raise InvalidInput({name: dict(zip(("zh", "en"), pair, strict=True))
                            for name, pair in pairs.items()})


@dataclass(frozen=True)
class StatsQuery:
    unit_id: int | None = None
    campaign_id: int | None = None
    category: str | None = None
    raised_by: int | None = None
    lifecycle: str | None = None
    start: date | None = None  # the period's first local day
    end: date | None = None  # its last local day, included
    as_of: datetime | None = None  # None: now
    bucket: str = "month"
    zone: ZoneInfo = SHANGHAI

    def raised_after(self) -> datetime | None:
        return day_start(self.start, self.zone)

    def raised_before(self) -> datetime | None:
        return day_start(self.end, self.zone, 1)

    def ledger_args(self) -> dict[str, Any]:
        """The ledger's arguments selecting the findings these filters count (raised in the
        period); a figure adds its stage (and open/overdue)."""
        pairs = {"unit": self.unit_id, "campaign": self.campaign_id, "category": self.category,
                 "raised_by": self.raised_by, "lifecycle": self.lifecycle,
                 "raised_from": self.start and self.start.isoformat(),
                 "raised_to": self.end and self.end.isoformat(),
                 "as_of": self.as_of and self.as_of.isoformat()}
        return {key: value for key, value in pairs.items() if value is not None}


def parse_stats_args(args: Mapping[str, Any], registry: Registry, now: datetime | None = None,
                     zone: ZoneInfo = SHANGHAI) -> StatsQuery:
    """Raw arguments (a query string, or a dict) -> a checked StatsQuery."""
    data = StatsArgs().load({k: v for k, v in dict(args).items() if v not in ("", None)})
    return stats_query(data, registry, now, zone)


def stats_query(data: Mapping[str, Any], registry: Registry, now: datetime | None = None,
                zone: ZoneInfo = SHANGHAI) -> StatsQuery:
    """StatsArgs' output -> a StatsQuery; the lifecycle must exist in a definition; as_of is
    read by the ledger's rule (ledger_args.as_of_moment: past, local unless an offset)."""
    if data.get("lifecycle"):
        ledger_query({"lifecycle": data["lifecycle"]}, registry)  # the ledger's check: known
    return StatsQuery(
        unit_id=data.get("unit"), campaign_id=data.get("campaign"),
        category=data.get("category"), raised_by=data.get("raised_by"),
        lifecycle=data.get("lifecycle"), start=data.get("from_"), end=data.get("to"),
        as_of=as_of_moment(data.get("as_of"), now, zone), bucket=data.get("bucket", "month"), zone=zone)
