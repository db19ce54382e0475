"""Possible duplicates (重复问题): open findings of the same unit with a similar title."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.models import Finding


def _grams(text: str) -> set[str]:
    """Character bigrams: works for Chinese, where words are not separated by spaces."""
    clean = "".join(ch.lower() for ch in text if ch.isalnum())
    return {clean[i:i + 2] for i in range(len(clean) - 1)} or ({clean} if clean else set())


def similarity(a: str, b: str) -> float:
    ga, gb = _grams(a), _grams(b)
    return len(ga & gb) / len(ga | gb) if ga and gb else 0.0


def similar_open_findings(session: Session, unit_id: int, title: str,
                          threshold: float = 0.3, limit: int = 5) -> list[tuple[Finding, float]]:
    """Open findings of the unit whose title is at least `threshold` similar, best first."""
    candidates = session.scalars(
        select(Finding).where(Finding.unit_id == unit_id, Finding.is_open.is_(True)))
    scored = [(f, similarity(title, f.title)) for f in candidates]
    hits = sorted((pair for pair in scored if pair[1] >= threshold), key=lambda p: -p[1])
    return hits[:limit]
