"""The clocks other than the unit's that ran past their deadline: the follow-up check
(复查时限, the reviewer's) and the acknowledgement (签收, not signed for in time); in SQL for
lists and counts, and in Python for one finding, the same rule (services.clocks.anchors)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_

from workflow.models import Finding


def review_overdue_clause(today: date, src: Any = Finding) -> ColumnElement[bool]:
    """Open, reported rectified, its follow-up check deadline passed (never NULL). src: Finding,
    or a findings subquery's columns."""
    return and_(src.is_open.is_(True), src.rectified_at.is_not(None),
                src.review_due_date.is_not(None), src.review_due_date < today)


def is_review_overdue(finding: Finding, today: date) -> bool:
    return bool(finding.is_open and finding.rectified_at is not None
                and finding.review_due_date is not None and finding.review_due_date < today)


def acknowledge_overdue_clause(today: date, src: Any = Finding) -> ColumnElement[bool]:
    """Open, not acknowledged, its 签收 deadline passed (never NULL); src as above."""
    return and_(src.is_open.is_(True), src.acknowledged_at.is_(None),
                src.acknowledge_due_date.is_not(None), src.acknowledge_due_date < today)


def is_acknowledge_overdue(finding: Finding, today: date) -> bool:
    return bool(finding.is_open and finding.acknowledged_at is None
                and finding.acknowledge_due_date is not None
                and finding.acknowledge_due_date < today)
