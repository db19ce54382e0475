"""Time: clocks and the escalation ladder on findings, notification settings on users, the
in-app notifications, webhook endpoints and the outbox.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 02:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_FINDING_COLUMNS = (
    ("due_basis", sa.String(16), "working"),
    ("acknowledged_at", sa.DateTime(timezone=True), None),
    ("acknowledge_due_date", sa.Date(), None),
    ("review_due_date", sa.Date(), None),
    ("lookback_due_date", sa.Date(), None),
    ("ladder_fired", sa.Text(), ""),
    ("overdue_level", sa.Integer(), "0"),
    ("next_ladder_on", sa.Date(), None),
    ("recurrences", sa.Integer(), "0"),
    ("recurrence_of_id", sa.Integer(), None),
)


def upgrade() -> None:
    with op.batch_alter_table("findings") as batch_op:
        for name, type_, default in _FINDING_COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=default is None,
                                          server_default=default))
        batch_op.create_foreign_key(batch_op.f("fk_findings_recurrence_of_id_findings"),
                                    "findings", ["recurrence_of_id"], ["id"])
        batch_op.create_index(batch_op.f("ix_findings_next_ladder_on"), ["next_ladder_on"])
        batch_op.create_index(batch_op.f("ix_findings_recurrence_of_id"), ["recurrence_of_id"])
    # Findings assigned before acknowledgement existed count as acknowledged: nobody can sign
    # for them after the fact, and the ladder must not chase them for it.
    op.execute("UPDATE findings SET acknowledged_at = updated_at WHERE is_open = "
               + ("1" if op.get_bind().dialect.name == "sqlite" else "true"))

    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(320), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("notify_email", sa.String(16), nullable=False,
                                      server_default="digest"))
        batch_op.add_column(sa.Column("notify_webhook", sa.String(16), nullable=False,
                                      server_default="immediate"))
        batch_op.add_column(sa.Column("last_digest_on", sa.Date(), nullable=True))

    big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "notifications",
        sa.Column("id", big_id, primary_key=True),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("finding_id", sa.Integer(), sa.ForeignKey("findings.id"), nullable=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("digested_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("key", name="uq_notifications_key"),
    )
    op.create_index("ix_notifications_finding_id", "notifications", ["finding_id"])
    op.create_index("ix_notifications_user_read", "notifications", ["user_id", "read_at", "id"])
    op.create_index("ix_notifications_undigested", "notifications", ["digested_at", "user_id"])

    op.create_table(
        "webhook_endpoints",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("secret", sa.String(200), nullable=False),
        sa.Column("description", sa.String(200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )

    op.create_table(
        "outbox",
        sa.Column("id", big_id, primary_key=True),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("endpoint_id", sa.Integer(), sa.ForeignKey("webhook_endpoints.id"),
                  nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("idempotency_key", name="uq_outbox_idempotency_key"),
    )
    op.create_index("ix_outbox_due", "outbox", ["status", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_outbox_due", table_name="outbox")
    op.drop_table("outbox")
    op.drop_table("webhook_endpoints")
    for name in ("ix_notifications_undigested", "ix_notifications_user_read",
                 "ix_notifications_finding_id"):
        op.drop_index(name, table_name="notifications")
    op.drop_table("notifications")
    with op.batch_alter_table("users") as batch_op:
        for name in ("last_digest_on", "notify_webhook", "notify_email", "email"):
            batch_op.drop_column(name)
    with op.batch_alter_table("findings") as batch_op:
        batch_op.drop_index(batch_op.f("ix_findings_recurrence_of_id"))
        batch_op.drop_index(batch_op.f("ix_findings_next_ladder_on"))
        batch_op.drop_constraint(batch_op.f("fk_findings_recurrence_of_id_findings"),
                                 type_="foreignkey")
        for name, _, _ in reversed(_FINDING_COLUMNS):
            batch_op.drop_column(name)
