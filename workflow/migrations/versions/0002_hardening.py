"""Hardening: the raising body on each finding, session versions, login lockout, token expiry,
versioned finding digests, and no TRUNCATE of events on PostgreSQL.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 22:30:00
"""

from datetime import timedelta

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("findings") as batch_op:
        batch_op.add_column(sa.Column("raised_by_unit_id", sa.Integer(), nullable=True))
    # The best record there is of the body that raised each existing finding: its raiser's
    # unit now. From here on the column is written once, when the finding is raised.
    op.execute("UPDATE findings SET raised_by_unit_id = "
               "(SELECT users.unit_id FROM users WHERE users.id = findings.raised_by_id)")
    with op.batch_alter_table("findings") as batch_op:
        batch_op.alter_column("raised_by_unit_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(batch_op.f("fk_findings_raised_by_unit_id_units"), "units",
                                    ["raised_by_unit_id"], ["id"])
        batch_op.create_index(batch_op.f("ix_findings_raised_by_unit_id"), ["raised_by_unit_id"])

    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("session_version", sa.Integer(), nullable=False,
                                      server_default="0"))
        batch_op.add_column(sa.Column("failed_logins", sa.Integer(), nullable=False,
                                      server_default="0"))
        batch_op.add_column(sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("api_tokens") as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True))
    tokens = sa.table("api_tokens", sa.column("id", sa.Integer()),
                      sa.column("created_at", sa.DateTime(timezone=True)),
                      sa.column("expires_at", sa.DateTime(timezone=True)))
    conn = op.get_bind()
    for token_id, created in conn.execute(sa.select(tokens.c.id, tokens.c.created_at)).all():
        conn.execute(tokens.update().where(tokens.c.id == token_id)
                     .values(expires_at=created + timedelta(days=90)))

    if conn.dialect.name == "sqlite":
        # Room for the scheme prefix ("v2:" + 64 hex). SQLite rebuilds the table, which drops
        # its triggers: put them back.
        with op.batch_alter_table("events") as batch_op:
            batch_op.alter_column("finding_digest", existing_type=sa.String(64),
                                  type_=sa.String(80), existing_nullable=False)
        for action in ("UPDATE", "DELETE"):
            op.execute(f"DROP TRIGGER IF EXISTS events_no_{action.lower()}")
            op.execute(
                f"CREATE TRIGGER events_no_{action.lower()} BEFORE {action} ON events "
                "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END"
            )
    if conn.dialect.name == "postgresql":
        # Room for the scheme prefix. Changing a column type fires no row trigger.
        op.execute("ALTER TABLE events ALTER COLUMN finding_digest TYPE VARCHAR(80)")
        # The row trigger does not see TRUNCATE: a statement trigger refuses it.
        op.execute(
            "CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events "
            "FOR EACH STATEMENT EXECUTE FUNCTION rectify_events_append_only()"
        )


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS events_no_truncate ON events")
    with op.batch_alter_table("api_tokens") as batch_op:
        batch_op.drop_column("last_used_at")
        batch_op.drop_column("expires_at")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("locked_until")
        batch_op.drop_column("failed_logins")
        batch_op.drop_column("session_version")
    with op.batch_alter_table("findings") as batch_op:
        batch_op.drop_index(batch_op.f("ix_findings_raised_by_unit_id"))
        batch_op.drop_constraint(batch_op.f("fk_findings_raised_by_unit_id_units"), type_="foreignkey")
        batch_op.drop_column("raised_by_unit_id")
