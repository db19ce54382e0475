"""The facts the live statistics read instead of events (workflow.services.stats_facts), on the
findings row, back-filled by replaying every finding's events in the version it runs on.

Revision ID: 0010_stats_facts
Revises: 0009_search
Create Date: 2026-11-29 19:30:00
"""

from typing import Any

import sqlalchemy as sa
from alembic import context, op

revision = "0010_stats_facts"
down_revision = "0009_search"
branch_labels = None
depends_on = None

MICROS = ("raised_us", "reported_us", "confirmed_us", "state_since_us")
JSONS = ("reports_us", "state_us")
BATCH = 5000  # findings per read and per UPDATE


def upgrade() -> None:
    for name in MICROS:
        op.add_column("findings", sa.Column(name, sa.BigInteger(), nullable=True))
    for name in JSONS:
        op.add_column("findings", sa.Column(name, sa.JSON(none_as_null=True), nullable=True))
    back_fill(op.get_bind())


def downgrade() -> None:
    for name in (*MICROS, *JSONS):
        op.drop_column("findings", name)


def back_fill(bind: sa.Connection) -> None:
    """Replay the events of every finding, BATCH findings at a time (memory flat in N)."""
    from workflow.config import Settings
    from workflow.services.stats_facts import FACTS, meaning_of, replay
    from workflow.spec import load_registry

    registry = context.config.attributes.get("registry")
    findings = sa.table("findings", sa.column("id"), sa.column("lifecycle"),
                        sa.column("lifecycle_version"),
                        *[sa.column(n, sa.BigInteger()) for n in MICROS],
                        *[sa.column(n, sa.JSON(none_as_null=True)) for n in JSONS])
    events = sa.table("events", sa.column("finding_id"), sa.column("seq"), sa.column("trigger"),
                      sa.column("from_state"), sa.column("to_state"),
                      sa.column("created_at", sa.DateTime(timezone=True)))
    after = 0
    while True:
        batch = bind.execute(sa.select(findings.c.id, findings.c.lifecycle,
                                       findings.c.lifecycle_version)
                             .where(findings.c.id > after).order_by(findings.c.id)
                             .limit(BATCH)).all()
        if not batch:
            return
        if registry is None:
            registry = load_registry(Settings.from_env().definitions_path)
        steps: dict[int, list[Any]] = {row.id: [] for row in batch}
        for row in bind.execute(sa.select(events.c.finding_id, events.c.trigger,
                                          events.c.from_state, events.c.to_state,
                                          events.c.created_at)
                                .where(events.c.finding_id.between(batch[0].id, batch[-1].id))
                                .order_by(events.c.finding_id, events.c.seq)):
            steps[row.finding_id].append((row.trigger, row.from_state, row.to_state,
                                          _aware(row.created_at)))
        rows = [{"fid": row.id, **replay(meaning_of(registry.get(row.lifecycle,
                                                                 row.lifecycle_version)),
                                         steps[row.id])} for row in batch]
        bind.execute(findings.update().where(findings.c.id == sa.bindparam("fid"))
                     .values({n: sa.bindparam(n) for n in FACTS}), rows)
        after = batch[-1].id


def _aware(moment: Any) -> Any:
    """SQLite hands back naive UTC datetimes."""
    from datetime import UTC

    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
