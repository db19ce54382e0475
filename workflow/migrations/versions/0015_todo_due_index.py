"""A partial index of the findings that may await someone (open, or closed with a look-back
pending) in the ledger's due order, for My work of a wide scope (services.work_walk): its page is
a walk of this index that stops at the page's end, instead of every finding of the scope read and
sorted (the province supervisor's My work: 3.5 s on SQLite at 1,000,000 findings).

An expression index, kept out of the models as ix_findings_due_order is (0009): SQLAlchemy does
not reflect one on SQLite, so a later batch migration of findings there must create it again.

Revision ID: 0015_todo_due
Revises: 0014_ledger_search_indexes
Create Date: 2026-11-30 03:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_todo_due"
down_revision = "0014_ledger_search_indexes"
branch_labels = None
depends_on = None

# services.work_walk.candidates() compiles to this predicate on each backend, as each planner
# needs to see the query's WHERE imply it.
TODO_DUE = ("CREATE INDEX ix_findings_todo_due ON findings (coalesce(due_date, '9999-12-31'), id) "
            "WHERE is_open = {true} OR lookback_due_date IS NOT NULL")


def upgrade() -> None:
    true = "1" if op.get_bind().dialect.name == "sqlite" else "true"
    op.execute(sa.text(TODO_DUE.format(true=true)))


def downgrade() -> None:
    op.execute(sa.text("DROP INDEX ix_findings_todo_due"))
