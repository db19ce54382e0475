"""Text search over findings through an index of character grams (workflow.grams), so 1- and
2-character Chinese queries are indexed too: FTS5 on SQLite, a GIN index on PostgreSQL. The index
only narrows; the LIKE it replaced still decides."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, func, null, or_, text
from sqlalchemy.orm import Session

from workflow.grams import FTS_TABLE, needle_grams, token
from workflow.models import Finding

CANDIDATES = 1000  # SQLite: more rows offered than this, and the LIKE alone scans in order


def text_clause(session: Session, needle: str) -> ColumnElement[bool]:
    """Title, description or code contains the needle, case-insensitively (the LIKE), among the
    rows the gram index offers."""
    fields = (Finding.title, Finding.description, Finding.code)
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return and_(grams_hold(needle, *fields), contains(needle, *fields))
    if dialect == "sqlite":
        offered = _offered(session, needle)
        like = contains(needle, *fields)
        return like if offered is None else and_(Finding.id.in_(offered), like)
    return contains(needle, *fields)  # another database: the LIKE alone


def fields_clause(session: Session, needle: str, *fields: Any) -> ColumnElement[bool]:
    """One of up to three columns of a small table (units, people, letters) contains the
    needle, case-insensitively; on PostgreSQL among the rows its gram index (migration 0014,
    over the same columns in this order) offers, on SQLite the LIKE alone."""
    if session.get_bind().dialect.name == "postgresql":
        return and_(grams_hold(needle, *fields), contains(needle, *fields))
    return contains(needle, *fields)


def contains(needle: str, *fields: Any) -> ColumnElement[bool]:
    """The LIKE that decides: one of the fields contains the needle, case-insensitively."""
    return or_(*(field.icontains(needle, autoescape=True) for field in fields))


def grams_hold(needle: str, *fields: Any) -> ColumnElement[bool]:
    """PostgreSQL: the grams of the fields (up to three, a missing one NULL) hold the needle's,
    written as the gram indexes' expressions are, so that the planner uses them. It only
    narrows: a row holding the needle holds its grams."""
    padded = [*fields, *[null()] * (3 - len(fields))]
    return func.rectify_grams(*padded).op("@>")(func.rectify_needle_grams(needle))


def _offered(session: Session, needle: str) -> list[int] | None:
    """The ids FTS5 offers, or None when there are more than CANDIDATES: then matches are
    common enough that reading the ledger in its order and testing each row stops early,
    while fetching every candidate by id and sorting them would not (SQLite's planner, without
    statistics on the FTS table, always takes the latter)."""
    match = " ".join(f'"{token(gram)}"' for gram in needle_grams(needle))
    ids = session.scalars(text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :match "
                               "LIMIT :most").bindparams(match=match, most=CANDIDATES + 1)).all()
    return None if len(ids) > CANDIDATES else list(ids)
