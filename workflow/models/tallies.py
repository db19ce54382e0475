"""Counts kept with the findings for the statistics of wide scopes (services.tallies): the log of
finding changes the database triggers write (each change: the row before, -1, and after, +1,
reduced), the tallies it is moved into (per unit of the tree and every unit above it), merged
from time to time; and the day they count for."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Date, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from workflow.models.base import Base, UTCDateTime


class ReducedRow:
    """The columns of a finding row as tally_sql.canonical reduces it (after its breakdowns), and
    how many findings the row stands for: the tallies' and the log's."""

    lifecycle: Mapped[str] = mapped_column(String(64))
    lifecycle_version: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(64))
    is_open: Mapped[bool] = mapped_column()
    rework_rounds: Mapped[int] = mapped_column(Integer)
    overdue_level: Mapped[int] = mapped_column(Integer)
    due_date: Mapped[date | None] = mapped_column(Date)
    rectified_on: Mapped[date | None] = mapped_column(Date)
    review_due_date: Mapped[date | None] = mapped_column(Date)
    acknowledge_due_date: Mapped[date | None] = mapped_column(Date)
    rectified_at: Mapped[int | None] = mapped_column(SmallInteger)  # 1: set, NULL: not
    acknowledged_at: Mapped[int | None] = mapped_column(SmallInteger)
    recurrence_of_id: Mapped[int | None] = mapped_column(SmallInteger)
    n: Mapped[int] = mapped_column(Integer)


class FindingTally(ReducedRow, Base):
    """n findings (a sum: +1 and -1 rows until merged) of `node`'s subtree, or of `node` itself
    (own), counted per dim: 'unit' rows carry no breakdown; 'campaign', 'category', 'raised_by'
    rows carry theirs. The other columns are the findings' own columns the statistics' rules
    read, reduced (services.tally_sql.canonical) so that every rule gives on them what it gives
    on the findings on the clock's day (TallyClock): their dates become classes."""

    __tablename__ = "finding_tallies"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    node: Mapped[int] = mapped_column(Integer)
    dim: Mapped[str] = mapped_column(String(16))
    own: Mapped[bool] = mapped_column()
    campaign_id: Mapped[int | None] = mapped_column(Integer)
    category: Mapped[str | None] = mapped_column(String(64))
    raised_by_id: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (Index("ix_finding_tallies_node", "node", "dim"),)


class TallyChange(ReducedRow, Base):
    """One finding row reduced (workflow.tally_sql.canonical), counted n (+1 or -1) times: written
    by the triggers, moved into finding_tallies by services.tallies.compact."""

    __tablename__ = "tally_changes"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(Integer)
    campaign_id: Mapped[int | None] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(64))
    raised_by_id: Mapped[int] = mapped_column(Integer)
    # the finding's facts as they are, for the value tallies (workflow.tally_values)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    raised_us: Mapped[int | None] = mapped_column(BigInteger)
    reported_us: Mapped[int | None] = mapped_column(BigInteger)
    confirmed_us: Mapped[int | None] = mapped_column(BigInteger)
    state_since_us: Mapped[int | None] = mapped_column(BigInteger)
    reports_us: Mapped[list[int] | None] = mapped_column(JSON(none_as_null=True))
    state_us: Mapped[dict[str, int] | None] = mapped_column(JSON(none_as_null=True))


class ValueTally(Base):
    """n findings (or reports, or stays) of `node`'s subtree of one kind (workflow.tally_values)
    and bucket (a tenth of a day of a duration, a local day, a version), totalling `total`
    microseconds (total + high * tally_values.SPLIT); written when the log is moved in."""

    __tablename__ = "value_tallies"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    node: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    lifecycle: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str | None] = mapped_column(String(64))
    bucket: Mapped[int | None] = mapped_column(BigInteger)
    n: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(BigInteger)  # the low parts' sum (tally_values.SPLIT)
    high: Mapped[int] = mapped_column(BigInteger)  # the high parts' sum

    __table_args__ = (Index("ix_value_tallies_node", "node", "kind"),)


class TallyState(Base):
    """What a state counts as in the value tallies (workflow.tally_values): the counted figures'
    classes (stats_kinds.StateFlags), written from the definitions by services.tallies."""

    __tablename__ = "tally_states"
    lifecycle: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    state: Mapped[str] = mapped_column(String(64), primary_key=True)
    counted: Mapped[int] = mapped_column(SmallInteger)  # a problem, not withdrawn or waived
    proposed: Mapped[int] = mapped_column(SmallInteger)  # a suggestion, not withdrawn
    confirmed: Mapped[int] = mapped_column(SmallInteger)  # a counted problem, confirmed (销号)


class TallyClock(Base):
    """The one row saying which day (and yellow-light cutoff) the tallies' date classes are
    counted for; day NULL: not built (or invalidated by a unit moved), the statistics count
    the findings themselves until services.tallies.keep_tallies builds them."""

    __tablename__ = "tally_clock"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    day: Mapped[date | None] = mapped_column(Date)
    cutoff: Mapped[date | None] = mapped_column(Date)
    zone: Mapped[str | None] = mapped_column(String(64))  # the local days' (value tallies)
    merged_rows: Mapped[int] = mapped_column(Integer, default=0)  # rows after the last merge
    # the tallies' highest id then: the rows added since are the ids above it (no count per tick)
    merged_top: Mapped[int] = mapped_column(BigInteger, default=0)
