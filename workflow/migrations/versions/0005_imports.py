"""Imports: the key of each spreadsheet row brought in, unique per raising body, and its finding.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_when = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "import_rows",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("body_id", sa.Integer(), sa.ForeignKey("units.id"), nullable=False),
        sa.Column("row_key", sa.String(128), nullable=False),
        sa.Column("finding_id", sa.Integer(), sa.ForeignKey("findings.id"), nullable=False),
        sa.Column("batch", sa.String(32), nullable=False),
        sa.Column("imported_at", _when, nullable=False),
        sa.Column("imported_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.UniqueConstraint("body_id", "row_key", name="uq_import_rows_body_key"),
    )
    op.create_index("ix_import_rows_finding_id", "import_rows", ["finding_id"])
    op.create_index("ix_import_rows_batch", "import_rows", ["batch"])


def downgrade() -> None:
    op.drop_index("ix_import_rows_batch", table_name="import_rows")
    op.drop_index("ix_import_rows_finding_id", table_name="import_rows")
    op.drop_table("import_rows")
