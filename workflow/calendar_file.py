"""An organisation's calendar override file: read (yaml.safe_load), validated, frozen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from workflow.errors import CalendarError
from workflow.spec.loader import read_yaml
from workflow.spec.schema import flatten


@dataclass(frozen=True)
class Override:
    """What the file says; it wins over the package. `years` are the years whose official
    schedule the file gives in full (they count as known even when the package lacks them)."""

    years: frozenset[int] = frozenset()
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    days_off: frozenset[date] = frozenset()

    def off_in(self, year: int) -> set[date]:
        return {day for day in self.holidays | self.days_off if day.year == year}

    def on_in(self, year: int) -> set[date]:
        return {day for day in self.workdays if day.year == year}


class _Day(fields.Field[date]):
    """A date: unquoted in YAML (2027-02-06) or an ISO string."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> date:
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        try:
            return date.fromisoformat(value)
        except (TypeError, ValueError):
            raise ValidationError("not a date") from None


class _OverrideSchema(Schema):
    years = fields.List(fields.Int(strict=True, validate=validate.Range(min=1950, max=2100)),
                        load_default=list)
    holidays = fields.List(_Day(), load_default=list)
    workdays = fields.List(_Day(), load_default=list)
    days_off = fields.List(_Day(), load_default=list)


def load_override(path: Path) -> Override:
    """The override in the file; CalendarError lists every problem, naming file and YAML path."""
    raw, problem = read_yaml(path)
    if problem:
        raise CalendarError([problem])
    if not isinstance(raw, dict):
        raise CalendarError([f"{path.name}: (root): expected a mapping with years, holidays, "
                             "workdays and days_off"])
    try:
        data = _OverrideSchema().load(raw)
    except ValidationError as exc:
        raise CalendarError([f"{path.name}: {where}: {msg}"
                             for where, msg in flatten(exc.messages)]) from None
    problems = [f"{path.name}: {where}: {msg}" for where, msg in _conflicts(data)]
    if problems:
        raise CalendarError(problems)
    return Override(*(frozenset(data[key]) for key in ("years", "holidays", "workdays", "days_off")))


def _conflicts(data: dict[str, Any]) -> list[tuple[str, str]]:
    """A day both worked and off; a year said to be complete with no holiday listed in it."""
    found = [(f"workdays[{i}]", f"{day} is also listed under {key}")
             for i, day in enumerate(data["workdays"])
             for key in ("holidays", "days_off") if day in data[key]]
    listed = {day.year for day in data["holidays"]}
    found += [(f"years[{i}]", f"no holidays listed in {year}; list that year's public holidays "
               "and make-up working days") for i, year in enumerate(data["years"])
              if year not in listed]
    return found
