"""A partial index of the findings that may await someone (open, or closed with a look-back
pending: the predicate of 0015's ix_findings_todo_due) by unit, for My work of a narrow scope
(services.work) and Waiting on others (services.waiting): they read only their units' candidates,
not every finding of the units (a 集团's handler at 1,000,000 findings: 2,748 of 5,471).

Revision ID: 0016_todo_unit
Revises: 0015_todo_due
Create Date: 2026-11-30 04:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_todo_unit"
down_revision = "0015_todo_due"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_findings_todo_unit", "findings", ["unit_id"],
                    sqlite_where=sa.text("is_open = 1 OR lookback_due_date IS NOT NULL"),
                    postgresql_where=sa.text("is_open = true OR lookback_due_date IS NOT NULL"))


def downgrade() -> None:
    op.drop_index("ix_findings_todo_unit", table_name="findings")
