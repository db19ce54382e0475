"""Text search over findings through an index of character grams (workflow.grams), so 1- and
2-character Chinese queries are indexed too: FTS5 on SQLite, a GIN index on PostgreSQL. The index
only narrows; the LIKE it replaced still decides."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, func, literal_column, or_, select, text, true

from workflow.grams import FTS_TABLE, needle_grams, token
from workflow.models import Finding


def text_clause(needle: str, dialect: str) -> ColumnElement[bool]:
    """Title, description or code contains the needle, case-insensitively (the LIKE), among the
    rows the gram index offers."""
    like = or_(Finding.title.icontains(needle, autoescape=True),
               Finding.description.icontains(needle, autoescape=True),
               Finding.code.icontains(needle, autoescape=True))
    return and_(_indexed(needle, dialect), like)


def _indexed(needle: str, dialect: str) -> ColumnElement[bool]:
    if dialect == "postgresql":
        row = func.rectify_grams(Finding.title, Finding.description, Finding.code)
        return row.op("@>")(func.rectify_needle_grams(needle))  # type: ignore[no-any-return]
    if dialect == "sqlite":
        match = " ".join(f'"{token(gram)}"' for gram in needle_grams(needle))
        rows = (select(literal_column("rowid")).select_from(text(FTS_TABLE))
                .where(literal_column(FTS_TABLE).op("MATCH")(match)))
        return Finding.id.in_(rows)
    return true()  # another database: the LIKE alone

