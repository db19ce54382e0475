"""Character grams of a finding's text (every character and every pair of neighbours, lower
case): what the search index holds (services.text_search), and the function SQLite's triggers call."""

from __future__ import annotations

import sqlite3

FTS_TABLE = "findings_grams"  # SQLite: FTS5, contentless, one row per finding (rowid = id)
GRAMS_FUNCTION = "rectify_grams"  # registered on each SQLite connection (PostgreSQL: in SQL)


def fold(value: str) -> str:
    """Lower case, character by character (so a substring stays a substring once folded)."""
    return "".join(character.lower() for character in value)


def token(gram: str) -> str:
    """A gram as an FTS5 token of hex code points ("x" between two): any character, even a
    space or a comma, is then indexed whole by the unicode61 tokenizer."""
    return "x".join(format(ord(character), "x") for character in gram)


def document(*fields: str | None) -> str:
    """The FTS5 text of a finding: the tokens of every character and pair in each field."""
    grams: set[str] = set()
    for field in fields:
        folded = fold(field or "")
        grams.update(folded)
        grams.update(folded[i:i + 2] for i in range(len(folded) - 1))
    return " ".join(sorted(token(gram) for gram in grams))


def needle_grams(needle: str) -> list[str]:
    """What a row holding the needle must hold: its pairs, or the character itself."""
    folded = fold(needle)
    if len(folded) < 2:
        return [folded]
    return sorted({folded[i:i + 2] for i in range(len(folded) - 1)})


def register(connection: sqlite3.Connection) -> None:
    """Give a SQLite connection the function the index's triggers call."""
    connection.create_function(GRAMS_FUNCTION, 3, document, deterministic=True)
