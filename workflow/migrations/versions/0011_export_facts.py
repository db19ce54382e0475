"""The ledger export's facts of each finding's history on its row (workflow.services.ledger_facts:
the latest measures, the due-date changes, the last action), back-filled from the events.

Revision ID: 0011_export_facts
Revises: 0010_stats_facts
Create Date: 2026-11-29 19:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_export_facts"
down_revision = "0010_stats_facts"
branch_labels = None
depends_on = None

# Added one by one (ALTER TABLE ... ADD COLUMN): a batch copy of the table on SQLite would drop
# the triggers and the expression index of 0009.
COLUMNS = (
    ("measures_reported", sa.Text(), sa.text("''")),
    ("due_changes", sa.Text(), sa.text("''")),
    ("last_action_trigger", sa.String(64), sa.text("''")),
    ("last_action_at", sa.DateTime(timezone=True), None),
)
ACTOR_KEY = "fk_findings_last_action_by_id_users"
PAGE = 2000  # findings back-filled per round trip: memory stays flat in the table's size


def upgrade() -> None:
    for name, type_, default in COLUMNS:
        op.add_column("findings", sa.Column(name, type_, nullable=default is None,
                                            server_default=default))
    if op.get_bind().dialect.name == "sqlite":  # Alembic adds no constraint there, SQLite can
        op.execute(sa.text(f"ALTER TABLE findings ADD COLUMN last_action_by_id INTEGER "
                           f"CONSTRAINT {ACTOR_KEY} REFERENCES users (id)"))
    else:
        op.add_column("findings", sa.Column("last_action_by_id", sa.Integer(),
                                            sa.ForeignKey("users.id", name=ACTOR_KEY)))
    back_fill(op.get_bind())


def back_fill(conn: sa.Connection) -> None:
    """Each finding's facts folded from its events by the rule append_event follows."""
    import json

    from workflow.models.base import UTCDateTime
    from workflow.services.ledger_facts import EMPTY_FACTS, facts_after

    findings = sa.table("findings", sa.column("id"), *(
        sa.column(n, UTCDateTime() if n == "last_action_at" else None) for n in EMPTY_FACTS))
    events = sa.table("events", sa.column("finding_id"), sa.column("seq"), sa.column("trigger"),
                      sa.column("actor_id"), sa.column("payload"),
                      sa.column("created_at", UTCDateTime()))
    update = (sa.update(findings).where(findings.c.id == sa.bindparam("finding"))
              .values({n: sa.bindparam(f"new_{n}") for n in EMPTY_FACTS}))
    last = 0
    while True:
        ids = conn.scalars(sa.select(findings.c.id).where(findings.c.id > last)
                           .order_by(findings.c.id).limit(PAGE)).all()
        if not ids:
            return
        facts = {i: dict(EMPTY_FACTS) for i in ids}
        rows = conn.execute(
            sa.select(events.c.finding_id, events.c.trigger, events.c.actor_id,
                      sa.cast(events.c.payload, sa.Text), events.c.created_at)
            .where(events.c.finding_id.between(ids[0], ids[-1]))
            .order_by(events.c.finding_id, events.c.seq))
        for finding_id, trigger, actor_id, payload, at in rows:
            row = facts[finding_id]
            row.update(facts_after(row["due_changes"], trigger, actor_id,
                                   json.loads(payload or "{}") or {}, at))
        conn.execute(update, [{"finding": i, **{f"new_{n}": v for n, v in row.items()}}
                              for i, row in facts.items()])
        last = ids[-1]


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":  # SQLite drops the column's REFERENCES with it
        op.drop_constraint(ACTOR_KEY, "findings", type_="foreignkey")
    op.drop_column("findings", "last_action_by_id")
    for name, _type, _default in reversed(COLUMNS):
        op.drop_column("findings", name)
