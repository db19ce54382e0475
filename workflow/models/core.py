"""The unit tree, people, campaigns, findings and their hash-chained events."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    event,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.models.base import Base, JSONType, UTCDateTime, utcnow

# Paths compare by code point on every database (PostgreSQL's default collation may order "/"
# among the digits by language rules): what Unit.under's range and the path index rely on.
PATH_TYPE = String(512).with_variant(String(512, collation="C"), "postgresql")


class Unit(Base):
    """A node of the unit tree: commission -> group -> subsidiary -> site."""

    __tablename__ = "units"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    # Materialised path of ids, "/1/4/9/": a subtree is one range of the path index (under()).
    path: Mapped[str] = mapped_column(PATH_TYPE, index=True)
    active: Mapped[bool] = mapped_column(default=True)
    # Prefix of the body's document numbers, e.g. "苏纪提" in 苏纪提〔2026〕12号.
    doc_prefix: Mapped[str] = mapped_column(String(32), default="", server_default=text("''"))
    parent: Mapped[Unit | None] = relationship(remote_side=[id])

    def name(self, lang: str) -> str:
        return self.name_zh if lang.startswith("zh") else self.name_en

    @classmethod
    def under(cls, path: str) -> ColumnElement[bool]:
        """WHERE clause on Unit: its path starts with `path` (the subtree of the unit at `path`),
        as the range [path, path with its last character's successor) of the path index: paths
        compare by code point (SQLite's BINARY, PostgreSQL's "C"), so exactly the paths that
        start with `path` fall in it, and no LIKE pattern is planned from a parameter."""
        if not path:
            return true()
        low, high = cls.path_range(path)
        return and_(cls.path >= low, cls.path < high)

    @staticmethod
    def path_range(path: str) -> tuple[str, str]:
        """The subtree at `path` (not empty) as the paths p with low <= p < high (under())."""
        return path, path[:-1] + chr(ord(path[-1]) + 1)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(256))
    roles: Mapped[str] = mapped_column(String(200))  # space-separated role names
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    language: Mapped[str] = mapped_column(String(8), default="zh_CN")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Bumped on logout, password change or reset, role or unit change and deactivation:
    # every session and cookie issued under an older value stops working.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Where and how notifications reach the user: e-mail and webhook each "immediate",
    # "digest" (one message a day) or "off"; the in-app bell always.
    email: Mapped[str] = mapped_column(String(320), default="", server_default=text("''"))
    notify_email: Mapped[str] = mapped_column(String(16), default="digest",
                                              server_default="digest")
    notify_webhook: Mapped[str] = mapped_column(String(16), default="immediate",
                                                server_default="immediate")
    last_digest_on: Mapped[date | None] = mapped_column(Date)
    unit: Mapped[Unit] = relationship()

    @property
    def role_set(self) -> frozenset[str]:
        return frozenset(self.roles.split())

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_set.intersection(roles))


class ApiToken(Base):
    """A revocable bearer token; only its sha256 is stored."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    user: Mapped[User] = relationship()


class Campaign(Base):
    """An inspection campaign (专项检查): period, scope, organising body."""

    __tablename__ = "campaigns"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    scope: Mapped[str] = mapped_column(Text, default="")
    organiser_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    organiser: Mapped[Unit] = relationship()


class Inspection(Base):
    """One visit: on site, unannounced (四不两直), online or embedded (嵌入式监督)."""

    __tablename__ = "inspections"
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    inspected_on: Mapped[date] = mapped_column(Date)
    team: Mapped[str] = mapped_column(String(500), default="")
    method: Mapped[str] = mapped_column(String(16))  # catalog.METHODS: onsite, unannounced...
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    campaign: Mapped[Campaign | None] = relationship()
    unit: Mapped[Unit] = relationship()


class CodeCounter(Base):
    """Per-year sequence behind finding codes such as 2026-0001."""

    __tablename__ = "code_counters"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Finding(Base):
    """A finding (问题) on the lifecycle version it started with."""

    __tablename__ = "findings"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(64), index=True)
    severity: Mapped[str] = mapped_column(String(16), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspections.id"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"), index=True)
    requirement: Mapped[str] = mapped_column(Text, default="")
    due_date: Mapped[date | None] = mapped_column(Date, index=True)
    pending_due_date: Mapped[date | None] = mapped_column(Date)
    lifecycle: Mapped[str] = mapped_column(String(64))
    lifecycle_version: Mapped[int] = mapped_column(Integer)
    definition_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(64), index=True)
    is_open: Mapped[bool] = mapped_column(default=True, index=True)
    rework_rounds: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # The body that raised the finding, written once: independence is judged from it, never
    # from the raiser's current unit (people move).
    raised_by_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    rectified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rectified_on: Mapped[date | None] = mapped_column(Date)  # local date, for on-time rates
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default="")
    # Time (workflow.services.clocks): how the definition counts days, written once; the
    # anchor date of each clock the ladder runs on; which ladder steps fired for which anchor
    # ("step@2026-10-09 ..."), the overdue level they raised, and when the next one falls due.
    due_basis: Mapped[str] = mapped_column(String(16), default="working",
                                           server_default="working")
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledge_due_date: Mapped[date | None] = mapped_column(Date)
    review_due_date: Mapped[date | None] = mapped_column(Date)
    lookback_due_date: Mapped[date | None] = mapped_column(Date)
    ladder_fired: Mapped[str] = mapped_column(Text, default="", server_default=text("''"))
    overdue_level: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_ladder_on: Mapped[date | None] = mapped_column(Date, index=True)
    recurrences: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    recurrence_of_id: Mapped[int | None] = mapped_column(ForeignKey("findings.id"), index=True)
    # Coordination: the finding this one was split off from, and the other units with a role
    # on it ("addressee:3 lead:3 co_responsible:12 co_responsible:15+", "+" = part done), the
    # audited truth behind the finding_parties index (workflow.services.parties).
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("findings.id"), index=True)
    parties: Mapped[str] = mapped_column(Text, default="", server_default=text("''"))
    # What the live statistics read instead of events (services.stats_facts, kept by every
    # appended event): moments in microseconds since the epoch, stays per state.
    raised_us: Mapped[int | None] = mapped_column(BigInteger)
    reported_us: Mapped[int | None] = mapped_column(BigInteger)
    reports_us: Mapped[list[int] | None] = mapped_column(JSON(none_as_null=True))
    confirmed_us: Mapped[int | None] = mapped_column(BigInteger)
    state_since_us: Mapped[int | None] = mapped_column(BigInteger)
    state_us: Mapped[dict[str, int] | None] = mapped_column(JSON(none_as_null=True))
    # What the ledger export shows of the history, kept by append_event from each event
    # (workflow.services.ledger_facts): not audited, derived from the events.
    measures_reported: Mapped[str] = mapped_column(Text, default="", server_default=text("''"))
    due_changes: Mapped[str] = mapped_column(Text, default="", server_default=text("''"))
    last_action_trigger: Mapped[str] = mapped_column(String(64), default="",
                                                     server_default=text("''"))
    last_action_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    last_action_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id])
    inspection: Mapped[Inspection | None] = relationship()
    campaign: Mapped[Campaign | None] = relationship()
    raised_by: Mapped[User] = relationship(foreign_keys=[raised_by_id])
    raised_by_unit: Mapped[Unit] = relationship(foreign_keys=[raised_by_unit_id])

    __mapper_args__ = {"version_id_col": version}
    # The ledger's orders (services.ledger_sorts), alone and within one state or one unit.
    __table_args__ = (Index("ix_findings_ledger", "created_at", "id"),
                      Index("ix_findings_state_created", "state", "created_at", "id"),
                      Index("ix_findings_state_id", "state", "id"),
                      Index("ix_findings_unit_created", "unit_id", "created_at", "id"),
                      # A parent's open children (children_closed): partial, so that SQLite's
                      # statistics do not judge it by the NULLs of every finding with no parent
                      Index("ix_findings_parent_open", "parent_id", "is_open",
                            sqlite_where=text("parent_id IS NOT NULL"),
                            postgresql_where=text("parent_id IS NOT NULL")),
                      # The open findings by follow-up and 签收 deadline: the tallies' advance to
                      # a new day reads those whose deadline lies between (services.tallies)
                      *[Index(f"ix_findings_open_{name}", column,
                              sqlite_where=text("is_open = 1"),
                              postgresql_where=text("is_open = true"))
                        for name, column in (("review_due", "review_due_date"),
                                             ("acknowledge_due", "acknowledge_due_date"))])
    # ix_findings_todo_unit (the findings that may await someone, by unit, for My work of a
    # narrow scope and Waiting on others) lives in migrations 0016 and 0019: its columns
    # differ by backend


class Event(Base):
    """Append-only record of one step of a finding, chained by sha256 to the one before."""

    __tablename__ = "events"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    trigger: Mapped[str] = mapped_column(String(64))
    from_state: Mapped[str | None] = mapped_column(String(64))
    to_state: Mapped[str] = mapped_column(String(64))
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # sha256 of the finding's audited columns right after this event: `verify` compares the
    # last one with the row, so an edit of the finding itself is caught too.
    finding_digest: Mapped[str] = mapped_column(String(80))  # "v2:" + hex; bare hex is v1
    actor: Mapped[User] = relationship()
    finding: Mapped[Finding] = relationship()

    # (finding_id, created_at): `verify --since` finds a page's events after the anchor in
    # the index, without reading every older event row.
    __table_args__ = (UniqueConstraint("finding_id", "seq", name="uq_events_finding_seq"),
                      Index("ix_events_finding_created", "finding_id", "created_at"))


_FINDING_DEFAULTS = {"ladder_fired": "", "overdue_level": 0, "recurrences": 0, "parties": "",
                     "rework_rounds": 0, "due_basis": "working"}


@event.listens_for(Finding, "init")
def _finding_defaults(target: Finding, args: Any, kwargs: dict[str, Any]) -> None:
    """Column defaults on the new object, not only at INSERT: the first event's digest is taken
    before the row is written and must cover what is then written."""
    for name, value in _FINDING_DEFAULTS.items():
        kwargs.setdefault(name, value)


@event.listens_for(Event, "before_update")
@event.listens_for(Event, "before_delete")
def _events_are_append_only(mapper: Any, connection: Any, target: Event) -> None:
    raise PermissionError("events are append-only")
