"""PostgreSQL only: units.path compared by code point (COLLATE "C"), so that a subtree is one range
of the path index (Unit.under; under a language collation "/" may sort among the digits, and a
LIKE prefix never used the index); gram indexes like findings' (0009) on the global search's
other kinds: units (code, names), people (username, display name), letters (number, subject).
SQLite needs neither: BINARY is its default collation, and its side searches are within target.

Revision ID: 0014_ledger_search_indexes
Revises: 0013_parent_open
Create Date: 2026-11-30 03:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_ledger_search_indexes"
down_revision = "0013_parent_open"
branch_labels = None
depends_on = None

# The same expressions as services.text_search.grams_hold builds (a missing field is NULL).
GRAM_INDEXES = {"ix_units_grams": "units USING gin (rectify_grams(code, name_zh, name_en))",
                "ix_users_grams": "users USING gin (rectify_grams(username, display_name, NULL))",
                "ix_letters_grams": "letters USING gin (rectify_grams(number, subject, NULL))"}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(sa.text('ALTER TABLE units ALTER COLUMN path TYPE VARCHAR(512) COLLATE "C"'))
    op.execute(sa.text("ANALYZE units"))  # the ALTER dropped the column's statistics
    for name, target in GRAM_INDEXES.items():
        op.execute(sa.text(f"CREATE INDEX {name} ON {target}"))


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in GRAM_INDEXES:
        op.execute(sa.text(f"DROP INDEX {name}"))
    op.execute(sa.text('ALTER TABLE units ALTER COLUMN path TYPE VARCHAR(512) COLLATE "default"'))
