"""An index on events(finding_id, created_at) for `rectify verify --since`: a page's events after
the anchor are found in the index instead of by reading every older event row.

Revision ID: 0012_verify
Revises: 0011_export_facts
Create Date: 2026-11-29 19:40:00
"""

from alembic import op

revision = "0012_verify"
down_revision = "0011_export_facts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_events_finding_created", "events", ["finding_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_events_finding_created", table_name="events")
