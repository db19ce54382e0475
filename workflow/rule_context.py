"""What guards and effects are given (Context) and how they are declared (Guard, Effect)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from workflow.models import Finding, User

if TYPE_CHECKING:
    from workflow.runtime import UnitOfWork
    from workflow.spec.model import Lifecycle

# A parameter kind: "field:<type>" names a field of that type declared on the same
# transition; "trigger" names a trigger of the same lifecycle; "audience" one of AUDIENCES.
ParamKinds = Mapping[str, str]
Message = dict[str, str]


@dataclass
class Context:
    """What a guard or effect may look at: the finding, who acts, the cleaned payload, the clock;
    and, for effects on time, the definition and the unit of work (its calendar)."""

    session: Session
    finding: Finding
    actor: User
    payload: Mapping[str, Any]
    now: datetime
    today: date
    lifecycle: Lifecycle | None = None
    uow: UnitOfWork | None = None
    # Audiences the `notify` effects asked for; fire() sends once the event exists.
    notices: list[str] = field(default_factory=list)
    # Work an effect leaves until the event exists (fire() runs it next): raising a linked
    # finding flushes, and a flush before the event would write the finding's row twice.
    later: list[Callable[[], object]] = field(default_factory=list)
    # What an effect adds to the event's record (the code of a child finding it raises).
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Guard:
    check: Callable[[Context, Mapping[str, Any]], Message | None]
    params: ParamKinds
    # The earliest date the guard accepts in its field on this finding (a date picker's min).
    earliest: Callable[[Finding, Mapping[str, Any]], date | None] | None = None
    # A guard that reads only the finding and the day (not what the user types) also has a SQL
    # form: the action is then offered, and listed in My work, only where it would pass.
    sql: Callable[[date], ColumnElement[bool]] | None = None
    # The same for a guard that also reads who acts (its unit, say): the day and the actor.
    actor_sql: Callable[[date, User], ColumnElement[bool]] | None = None

    def sql_for(self, today: date, actor: User) -> ColumnElement[bool] | None:
        """The guard's SQL form for this actor today, if it has one."""
        if self.actor_sql is not None:
            return self.actor_sql(today, actor)
        return None if self.sql is None else self.sql(today)

    def field_of(self, params: Mapping[str, Any]) -> str | None:
        """The payload field this guard judges (its field-kind parameter), if any."""
        return next((str(params[name]) for name, kind in self.params.items()
                     if kind.startswith("field:") and name in params), None)


@dataclass(frozen=True)
class Effect:
    apply: Callable[[Context, Mapping[str, Any]], None]
    params: ParamKinds
