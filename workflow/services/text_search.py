"""Text search over findings through an index of character grams (workflow.grams), so 1- and
2-character Chinese queries are indexed too: FTS5 on SQLite, a GIN index on PostgreSQL. The index
only narrows; the LIKE it replaced still decides."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, func, or_, text
from sqlalchemy.orm import Session

from workflow.grams import FTS_TABLE, needle_grams, token
from workflow.models import Finding

CANDIDATES = 1000  # SQLite: more rows offered than this, and the LIKE alone scans in order


def text_clause(session: Session, needle: str) -> ColumnElement[bool]:
    """Title, description or code contains the needle, case-insensitively (the LIKE), among the
    rows the gram index offers."""
    like = or_(Finding.title.icontains(needle, autoescape=True),
               Finding.description.icontains(needle, autoescape=True),
               Finding.code.icontains(needle, autoescape=True))
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        row = func.rectify_grams(Finding.title, Finding.description, Finding.code)
        holds: ColumnElement[bool] = row.op("@>")(func.rectify_needle_grams(needle))
        return and_(holds, like)
    if dialect == "sqlite":
        offered = _offered(session, needle)
        return like if offered is None else and_(Finding.id.in_(offered), like)
    return like  # another database: the LIKE alone


def _offered(session: Session, needle: str) -> list[int] | None:
    """The ids FTS5 offers, or None when there are more than CANDIDATES: then matches are
    common enough that reading the ledger in its order and testing each row stops early,
    while fetching every candidate by id and sorting them would not (SQLite's planner, without
    statistics on the FTS table, always takes the latter)."""
    match = " ".join(f'"{token(gram)}"' for gram in needle_grams(needle))
    ids = session.scalars(text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :match "
                               "LIMIT :most").bindparams(match=match, most=CANDIDATES + 1)).all()
    return None if len(ids) > CANDIDATES else list(ids)
