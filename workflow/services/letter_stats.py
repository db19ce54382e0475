"""Counting letters: sent, replied, pending, overdue, per issuing body and per campaign, over the
letters the actor sees (the dashboard's and the numbers API's)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from workflow.models import Campaign, Letter, Unit, User
from workflow.services.letter_scope import letters_clause, state_clause
from workflow.services.permissions import require


@dataclass
class LetterNumbers:
    sent: int = 0
    replied: int = 0  # every addressee answered
    pending: int = 0  # waiting, none late
    overdue: int = 0  # one addressee or more past the reply date

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass
class LetterStats:
    totals: LetterNumbers
    by_body: list[tuple[Unit, LetterNumbers]] = field(default_factory=list)
    by_campaign: list[tuple[Campaign, LetterNumbers]] = field(default_factory=list)


def letter_stats(session: Session, actor: User, today: date,
                 campaign_id: int | None = None) -> LetterStats:
    """The numbers, per issuing body and per campaign; Forbidden to roles without the
    dashboard."""
    require(actor, "dashboard")
    scope = [letters_clause(actor)]
    if campaign_id is not None:
        scope.append(Letter.campaign_id == campaign_id)
    per_body = _count_by(session, Letter.body_id, scope, today)
    per_campaign = _count_by(session, Letter.campaign_id, scope, today)
    totals = LetterNumbers()
    for numbers in per_body.values():
        for name, value in numbers.as_dict().items():
            setattr(totals, name, getattr(totals, name) + value)
    bodies = session.scalars(select(Unit).where(Unit.id.in_(per_body))).all()
    campaigns = session.scalars(select(Campaign).where(
        Campaign.id.in_([c for c in per_campaign if c is not None]))).all()
    return LetterStats(totals, sorted(((u, per_body[u.id]) for u in bodies),
                                      key=lambda pair: pair[0].path),
                       sorted(((c, per_campaign[c.id]) for c in campaigns),
                              key=lambda pair: pair[0].id))


def _count_by(session: Session, key: Any, scope: list[Any],
              today: date) -> dict[Any, LetterNumbers]:
    def count_if(state: str) -> Any:
        return func.sum(case((state_clause(state, today), 1), else_=0))

    rows = session.execute(select(key, func.count(), count_if("replied"), count_if("pending"),
                                  count_if("overdue")).where(*scope).group_by(key))
    return {row[0]: LetterNumbers(*[int(v or 0) for v in row[1:]]) for row in rows}
