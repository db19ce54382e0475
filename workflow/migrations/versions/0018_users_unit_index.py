"""An index of users by unit: who a notification reaches is read by the unit chain of the
finding (services.audience, once per notifying fire, `users.unit_id IN (…)`), which without it
scanned every user (10,000 users in the bulk world: 1.9 ms per fire on SQLite, more than the
whole fire on a small tree).

Revision ID: 0018_users_unit
Revises: 0017_tallies
Create Date: 2026-11-30 06:00:00
"""

from alembic import op

revision = "0018_users_unit"
down_revision = "0017_tallies"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_users_unit_id", "users", ["unit_id"])


def downgrade() -> None:
    op.drop_index("ix_users_unit_id", table_name="users")
