"""Coordination: document-number prefixes on units, parent and parties on findings, the parties
index, related links, numbered letters with their addressees, replies and attachments.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 05:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_when = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("units") as batch_op:
        batch_op.add_column(sa.Column("doc_prefix", sa.String(32), nullable=False,
                                      server_default=""))
    with op.batch_alter_table("findings") as batch_op:
        batch_op.add_column(sa.Column("parent_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("parties", sa.Text(), nullable=False, server_default=""))
        batch_op.create_foreign_key(batch_op.f("fk_findings_parent_id_findings"),
                                    "findings", ["parent_id"], ["id"])
        batch_op.create_index(batch_op.f("ix_findings_parent_id"), ["parent_id"])

    op.create_table(
        "finding_parties",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("finding_id", sa.Integer(), sa.ForeignKey("findings.id"), nullable=False),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("units.id"), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("part", sa.Text(), nullable=False),
        sa.Column("done_at", _when, nullable=True),
        sa.Column("added_at", _when, nullable=False),
        sa.UniqueConstraint("finding_id", "unit_id", "role",
                            name="uq_finding_parties_finding_unit_role"),
    )
    op.create_index("ix_finding_parties_finding_id", "finding_parties", ["finding_id"])
    op.create_index("ix_finding_parties_unit_id", "finding_parties", ["unit_id"])

    op.create_table(
        "finding_links",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("from_id", sa.Integer(), sa.ForeignKey("findings.id"), nullable=False),
        sa.Column("to_id", sa.Integer(), sa.ForeignKey("findings.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", _when, nullable=False),
        sa.UniqueConstraint("from_id", "to_id", "kind", name="uq_finding_links_from_to_kind"),
    )
    op.create_index("ix_finding_links_from_id", "finding_links", ["from_id"])
    op.create_index("ix_finding_links_to_id", "finding_links", ["to_id"])

    op.create_table(
        "letter_counters",
        sa.Column("body_id", sa.Integer(), sa.ForeignKey("units.id"), primary_key=True,
                  autoincrement=False),
        sa.Column("year", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("last", sa.Integer(), nullable=False),
    )
    op.create_table(
        "letters",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("number", sa.String(64), nullable=False),
        sa.Column("body_id", sa.Integer(), sa.ForeignKey("units.id"), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("reply_due_date", sa.Date(), nullable=True),
        sa.Column("finding_id", sa.Integer(), sa.ForeignKey("findings.id"), nullable=True),
        sa.Column("campaign_id", sa.Integer(), sa.ForeignKey("campaigns.id"), nullable=True),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", _when, nullable=False),
        sa.UniqueConstraint("body_id", "year", "seq", name="uq_letters_body_year_seq"),
    )
    for column in ("body_id", "finding_id", "campaign_id"):
        op.create_index(f"ix_letters_{column}", "letters", [column])
    op.create_table(
        "letter_addressees",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("letter_id", sa.Integer(), sa.ForeignKey("letters.id"), nullable=False),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("units.id"), nullable=False),
        sa.Column("replied_on", sa.Date(), nullable=True),
        sa.Column("reply_text", sa.Text(), nullable=False),
        sa.Column("replied_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("replied_at", _when, nullable=True),
        sa.Column("reminded", sa.String(200), nullable=False),
        sa.UniqueConstraint("letter_id", "unit_id", name="uq_letter_addressees_unit"),
    )
    op.create_index("ix_letter_addressees_letter_id", "letter_addressees", ["letter_id"])
    op.create_index("ix_letter_addressees_unit_id", "letter_addressees", ["unit_id"])
    op.create_index("ix_letter_addressees_pending", "letter_addressees",
                    ["unit_id", "replied_at"])
    op.create_table(
        "letter_attachments",
        sa.Column("addressee_id", sa.Integer(), sa.ForeignKey("letter_addressees.id"),
                  primary_key=True),
        sa.Column("attachment_id", sa.Integer(), sa.ForeignKey("attachments.id"),
                  primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("letter_attachments")
    for name in ("ix_letter_addressees_pending", "ix_letter_addressees_unit_id",
                 "ix_letter_addressees_letter_id"):
        op.drop_index(name, table_name="letter_addressees")
    op.drop_table("letter_addressees")
    for column in ("campaign_id", "finding_id", "body_id"):
        op.drop_index(f"ix_letters_{column}", table_name="letters")
    op.drop_table("letters")
    op.drop_table("letter_counters")
    op.drop_index("ix_finding_links_to_id", table_name="finding_links")
    op.drop_index("ix_finding_links_from_id", table_name="finding_links")
    op.drop_table("finding_links")
    op.drop_index("ix_finding_parties_unit_id", table_name="finding_parties")
    op.drop_index("ix_finding_parties_finding_id", table_name="finding_parties")
    op.drop_table("finding_parties")
    with op.batch_alter_table("findings") as batch_op:
        batch_op.drop_index(batch_op.f("ix_findings_parent_id"))
        batch_op.drop_constraint(batch_op.f("fk_findings_parent_id_findings"),
                                 type_="foreignkey")
        batch_op.drop_column("parties")
        batch_op.drop_column("parent_id")
    with op.batch_alter_table("units") as batch_op:
        batch_op.drop_column("doc_prefix")
