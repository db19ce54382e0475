"""The statistics' tallies (models.tallies, services.tallies): their tables, the triggers that keep
them with every findings write (workflow.tally_sql), and the indexes the day's advance reads the
findings through. Not built here: the clock starts unset, the statistics count the findings
themselves until the scheduler's tick (or `rectify tick`) builds the tallies.

Revision ID: 0017_tallies
Revises: 0016_todo_unit
Create Date: 2026-11-30 06:00:00
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

from workflow.tally_sql import dropped, triggers

revision = "0017_tallies"
down_revision = "0016_todo_unit"
branch_labels = None
depends_on = None



def _reduced() -> list[sa.Column[Any]]:
    """A reduced finding row's columns after its breakdowns, and n (both tables)."""
    return [
        sa.Column("lifecycle", sa.String(64), nullable=False),
        sa.Column("lifecycle_version", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(64), nullable=False),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.Column("rework_rounds", sa.Integer(), nullable=False),
        sa.Column("overdue_level", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date()),
        sa.Column("rectified_on", sa.Date()),
        sa.Column("review_due_date", sa.Date()),
        sa.Column("acknowledge_due_date", sa.Date()),
        sa.Column("rectified_at", sa.SmallInteger()),
        sa.Column("acknowledged_at", sa.SmallInteger()),
        sa.Column("recurrence_of_id", sa.SmallInteger()),
        sa.Column("n", sa.Integer(), nullable=False),
    ]


def _id() -> sa.Column[Any]:
    return sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True)


def upgrade() -> None:
    op.create_table(
        "finding_tallies", _id(),
        sa.Column("node", sa.Integer(), nullable=False),
        sa.Column("dim", sa.String(16), nullable=False),
        sa.Column("own", sa.Boolean(), nullable=False),
        sa.Column("campaign_id", sa.Integer()),
        sa.Column("category", sa.String(64)),
        sa.Column("raised_by_id", sa.Integer()),
        *_reduced(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finding_tallies")),
    )
    op.create_index("ix_finding_tallies_node", "finding_tallies", ["node", "dim"])
    op.create_table(
        "tally_changes", _id(),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer()),
        sa.Column("category", sa.String(64), nullable=False),
        sa.Column("raised_by_id", sa.Integer(), nullable=False),
        *_reduced(),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        *[sa.Column(name, sa.BigInteger()) for name in ("raised_us", "reported_us",
                                                        "confirmed_us", "state_since_us")],
        sa.Column("reports_us", sa.JSON(none_as_null=True)),
        sa.Column("state_us", sa.JSON(none_as_null=True)),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tally_changes")),
    )
    op.create_table(
        "value_tallies", _id(),
        sa.Column("node", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("lifecycle", sa.String(64)),
        sa.Column("state", sa.String(64)),
        sa.Column("bucket", sa.BigInteger()),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("high", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_value_tallies")),
    )
    op.create_index("ix_value_tallies_node", "value_tallies", ["node", "kind"])
    op.create_table(
        "tally_states",
        sa.Column("lifecycle", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("state", sa.String(64), nullable=False),
        *[sa.Column(name, sa.SmallInteger(), nullable=False)
          for name in ("counted", "proposed", "confirmed")],
        sa.PrimaryKeyConstraint("lifecycle", "version", "state", name=op.f("pk_tally_states")),
    )
    clock = op.create_table(
        "tally_clock",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("day", sa.Date()),
        sa.Column("cutoff", sa.Date()),
        sa.Column("zone", sa.String(64)),
        sa.Column("merged_rows", sa.Integer(), nullable=False),
        sa.Column("merged_top", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tally_clock")),
    )
    op.bulk_insert(clock, [{"id": 1, "day": None, "cutoff": None, "zone": None,
                            "merged_rows": 0, "merged_top": 0}])
    for name, column in (("review_due", "review_due_date"),
                         ("acknowledge_due", "acknowledge_due_date")):
        op.create_index(f"ix_findings_open_{name}", "findings", [column],
                        sqlite_where=sa.text("is_open = 1"),
                        postgresql_where=sa.text("is_open = true"))
    for statement in triggers(op.get_bind().dialect.name):
        op.execute(sa.text(statement))


def downgrade() -> None:
    for statement in dropped(op.get_bind().dialect.name):
        op.execute(sa.text(statement))
    op.drop_index("ix_findings_open_acknowledge_due", table_name="findings")
    op.drop_index("ix_findings_open_review_due", table_name="findings")
    op.drop_table("tally_clock")
    op.drop_table("tally_changes")
    op.drop_table("tally_states")
    op.drop_index("ix_value_tallies_node", table_name="value_tallies")
    op.drop_table("value_tallies")
    op.drop_index("ix_finding_tallies_node", table_name="finding_tallies")
    op.drop_table("finding_tallies")
