"""Possible duplicates and recurrences (重复问题、反复出现): findings of the same unit or its parent,
open or closed within RECENT_DAYS, whose title and description read alike by Chinese character
n-grams (no word splitting). Measured on tests/data/duplicate_pairs.yaml (see the README)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from workflow.errors import InvalidInput
from workflow.models import Finding, Unit, User
from workflow.services.scope import findings_clause, unit_in_scope
from workflow.text import as_id

THRESHOLD = 0.20  # chosen on the labelled pairs for recall (README, "Burden on the grassroots")
RECENT_DAYS = 180  # closed findings this recent are offered as recurrences
CANDIDATES = 200  # newest findings scored per check, at most: the work stays bounded
SHOWN = 5
Key = TypeVar("Key")  # a unit's id, or its name in the labelled pairs
TEXT_LIMIT = 2000  # characters of a description read, at most


def normalise(text: str) -> str:
    """NFKC (full-width letters and digits to half-width, NFC composition), lower case, only
    letters and digits kept (punctuation and spaces dropped)."""
    folded = unicodedata.normalize("NFKC", text[:TEXT_LIMIT]).lower()
    return "".join(ch for ch in folded if ch.isalnum())


def grams(text: str) -> set[str]:
    """Character bigrams and trigrams of the normalised text (a one-character text: itself)."""
    clean = normalise(text)
    found = {clean[i:i + n] for n in (2, 3) for i in range(len(clean) - n + 1)}
    return found or ({clean} if clean else set())


def _dice(a: set[str], b: set[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def similarity(a: str, b: str) -> float:
    """Dice coefficient of the two texts' character bi- and trigrams, 0 to 1."""
    return _dice(grams(a), grams(b))


def finding_similarity(title_a: str, text_a: str, title_b: str, text_b: str) -> float:
    """How alike two findings read: title and description together (measured better than the
    title alone or a blend of both)."""
    return similarity(f"{title_a} {text_a}", f"{title_b} {text_b}")


def family(unit_id: Key, parent_id: Key | None) -> list[Key]:
    """Whose findings a new one of the unit may repeat: the unit's own and its parent's."""
    return [unit_id] + ([parent_id] if parent_id is not None else [])


@dataclass(frozen=True)
class Suggestion:
    """A finding the new one may repeat: open (link or comment there) or closed (a recurrence)."""

    finding: Finding
    score: float

    @property
    def recurrence(self) -> bool:
        return not self.finding.is_open


def similar_findings(session: Session, actor: User, unit: Unit, title: str, description: str,
                     now: datetime, threshold: float = THRESHOLD) -> list[Suggestion]:
    """Findings the actor may see, of `unit` or its parent, open or closed within RECENT_DAYS,
    reading at least `threshold` alike; best first, SHOWN at most."""
    query = (select(Finding)
             .where(Finding.unit_id.in_(family(unit.id, unit.parent_id)), findings_clause(actor),
                    or_(Finding.is_open.is_(True),
                        Finding.closed_at >= now - timedelta(days=RECENT_DAYS)))
             .order_by(Finding.id.desc()).limit(CANDIDATES))
    scored = [Suggestion(f, finding_similarity(title, description, f.title, f.description))
              for f in session.scalars(query)]
    hits = sorted((s for s in scored if s.score >= threshold), key=lambda s: -s.score)
    return hits[:SHOWN]


def recurrence_target(session: Session, actor: User, unit: Unit, raw: object) -> Finding | None:
    """The closed finding a new one of `unit` is raised as a recurrence of (反复出现): one the actor
    may see, of that unit or its parent; None when the field is empty, a field error otherwise."""
    if raw is None or raw == "":
        return None
    finding_id = as_id(raw)
    original = session.scalar(select(Finding).where(
        Finding.id == finding_id, findings_clause(actor))) if finding_id else None
    if (original is None or original.is_open
            or original.unit_id not in family(unit.id, unit.parent_id)):
        raise InvalidInput({"recurrence_of": {
            "zh": "只能作为本单位或其上级单位已办结问题的再次发生。",
            "en": "A recurrence must be of a closed finding of the same unit or its parent."}})
    return original


def suggestions_for(session: Session, actor: User, unit_id: object, title: str,
                    description: str, now: datetime) -> list[Suggestion]:
    """similar_findings for a unit id as it comes (the API); a field error on 'unit' for one
    that is not a unit the actor sees."""
    unit = session.get(Unit, as_id(unit_id)) if as_id(unit_id) is not None else None
    if unit is None or not unit_in_scope(actor, unit):
        raise InvalidInput({"unit": {"zh": "单位不存在或不在您的范围内。",
                                     "en": "There is no such unit within your scope."}})
    return similar_findings(session, actor, unit, title, description, now)
