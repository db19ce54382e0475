"""Shared fixtures: a fresh Rectify per test on SQLite and PostgreSQL, a clock, an org, a driver.

Fixtures, from the bottom up:

- ``backend``: ``"sqlite"`` or ``"postgres"``; tests asking (indirectly) for a database run on
  both. PostgreSQL tests need ``RECTIFY_TEST_POSTGRES_URL`` and are skipped with a reason
  naming PostgreSQL when it is unset. Parametrize ``backend`` directly to run on one only.
- ``database_url``: an empty, migrated (Alembic head) database for this test.
- ``clock``: a :class:`FakeClock` the engine reads the time from; ``clock.advance(days=3)``.
- ``rectify``: a :class:`~workflow.runtime.Rectify` on that database with that clock.
- ``make_org`` / ``org``: the unit tree and one user per role, see :class:`Org`.
- ``flow``: a :class:`Flow` that raises findings and fires transitions with valid defaults,
  snapshots a finding, and ``flow.refused(fid, Error)`` asserts a refusal changed nothing.
- ``png``: ``png(seed)`` -> bytes of a distinct valid PNG; ``registry``: the shipped definitions.
- ``registry_v1`` / ``rectify_v1`` / ``flow_v1``: the same database seen through version 1 of
  every lifecycle only, so what ``flow_v1`` raises starts on v1 (tests pinning v1 behaviour).
- ``lift_append_only``: drop the events triggers for a tampering test, restored afterwards.
"""

from __future__ import annotations

import os
import shutil
import struct
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from db_support import (  # noqa: F401 - re-exported for the fixtures' users
    DEFINITIONS,
    POSTGRES_ENV,
    POSTGRES_SKIP,
    empty_schema,
    make_settings,
    schema_differences,
    with_search_path,
)
from sqlalchemy import Engine, create_engine, func, select, text

from workflow.db import Database
from workflow.models import Base, Event, Finding, FindingAttachment, Unit, User
from workflow.runtime import Rectify
from workflow.services import accounts as accounts_module
from workflow.services import fire, raise_finding
from workflow.services.accounts import create_user
from workflow.services.directory import create_unit
from workflow.services.parties import parties_of
from workflow.spec import Registry, load_registry

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in Asia/Shanghai, a Monday


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip (visibly, naming PostgreSQL) every test marked postgres when no server is given."""
    if os.environ.get(POSTGRES_ENV):
        return
    skip = pytest.mark.skip(reason=POSTGRES_SKIP)
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(skip)


# --- databases -------------------------------------------------------------------------------


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database backend of this test run: 'sqlite' or 'postgres'."""
    return str(request.param)


@pytest.fixture(scope="session")
def registry() -> Registry:
    """The shipped definitions, loaded once (the registry is immutable)."""
    return load_registry(DEFINITIONS)


def _registry_upto(tmp_path_factory: pytest.TempPathFactory, newest: int) -> Registry:
    """The shipped versions up to `newest` of every lifecycle (same files, same digests)."""
    folder = tmp_path_factory.mktemp(f"definitions-v{newest}")
    for version in range(1, newest + 1):
        for path in DEFINITIONS.glob(f"*.v{version}.yaml"):
            shutil.copyfile(path, folder / path.name)
    return load_registry(folder)


@pytest.fixture(scope="session")
def registry_v1(tmp_path_factory: pytest.TempPathFactory) -> Registry:
    """Version 1 of every shipped lifecycle, nothing newer (same files, same digests)."""
    return _registry_upto(tmp_path_factory, 1)


@pytest.fixture(scope="session")
def registry_v2(tmp_path_factory: pytest.TempPathFactory) -> Registry:
    """Versions 1 and 2 of every shipped lifecycle, nothing newer."""
    return _registry_upto(tmp_path_factory, 2)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated to the Alembic head; each test gets a copy."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    database = Database(f"sqlite:///{path}")
    try:
        database.upgrade()
    finally:
        database.dispose()  # last connection closed: the WAL is checkpointed into the file
    return path


@dataclass
class PostgresSchema:
    """A schema of its own for this test session on the server in RECTIFY_TEST_POSTGRES_URL."""

    url: str  # connects with search_path set to the schema
    name: str
    engine: Engine  # for resetting and tampering, on the same schema

    def reset(self) -> None:
        """Empty every table and restart ids; the schema (and its triggers) stays."""
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        with self.engine.begin() as conn:  # events refuse TRUNCATE: step past it for the reset
            conn.execute(text("ALTER TABLE events DISABLE TRIGGER events_no_truncate"))
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            conn.execute(text("ALTER TABLE events ENABLE TRIGGER events_no_truncate"))
            triggers = conn.scalar(text(
                "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = :schema AND c.relname = 'events' "
                "AND t.tgname = 'events_append_only'"), {"schema": self.name})
        assert triggers == 1, "a test dropped the events trigger without restoring it"


@pytest.fixture(scope="session")
def postgres_schema() -> Iterator[PostgresSchema]:
    """A fresh schema migrated to the Alembic head, dropped at the end of the session."""
    with empty_schema("rectify_test") as (url, name):
        database = Database(url)
        engine = create_engine(url)
        try:
            database.upgrade()
            yield PostgresSchema(url, name, engine)
        finally:
            database.dispose()
            engine.dispose()


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """URL of an empty database at the Alembic head, private to this test."""
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        target = tmp_path / "rectify.db"
        shutil.copyfile(template, target)
        return f"sqlite:///{target}"
    schema: PostgresSchema = request.getfixturevalue("postgres_schema")
    schema.reset()
    return schema.url


@contextmanager
def _append_only_lifted(database: Database) -> Iterator[Engine]:
    """Drop the database's append-only triggers on events for a tampering test, then restore.

    SQLite names them events_no_update / events_no_delete; PostgreSQL has one,
    events_append_only. Restored on leaving so the next test's schema is whole.
    """
    engine = database.engine
    sqlite = engine.dialect.name == "sqlite"
    with engine.begin() as conn:
        if sqlite:
            conn.exec_driver_sql("DROP TRIGGER events_no_update")
            conn.exec_driver_sql("DROP TRIGGER events_no_delete")
        else:
            conn.exec_driver_sql("DROP TRIGGER events_append_only ON events")
    try:
        yield engine
    finally:
        with engine.begin() as conn:
            if sqlite:
                for action in ("UPDATE", "DELETE"):
                    conn.exec_driver_sql(
                        f"CREATE TRIGGER events_no_{action.lower()} BEFORE {action} ON events "
                        "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END")
            else:
                conn.exec_driver_sql(
                    "CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events "
                    "FOR EACH ROW EXECUTE FUNCTION rectify_events_append_only()")


@pytest.fixture
def lift_append_only() -> Callable[[Database], Any]:
    """``with lift_append_only(rectify.database) as engine:`` tamper with events, triggers off."""
    return _append_only_lifted


# --- the engine ------------------------------------------------------------------------------


class FakeClock:
    """The engine's clock in tests: a fixed aware UTC moment that only moves when told."""

    def __init__(self, start: datetime = START) -> None:
        self.start = self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> datetime:
        """Move forward by timedelta(**delta), e.g. advance(days=3, minutes=5)."""
        self.current += timedelta(**delta)
        return self.current

    def set(self, moment: datetime) -> None:
        assert moment.tzinfo is not None, "the engine only knows aware UTC datetimes"
        self.current = moment


@pytest.fixture
def clock() -> FakeClock:
    """Starts at 2026-03-02 01:00 UTC (09:00 in Asia/Shanghai, the default zone)."""
    return FakeClock()


@pytest.fixture
def rectify(database_url: str, tmp_path: Path, clock: FakeClock,
            registry: Registry) -> Iterator[Rectify]:
    """A Rectify on this test's database, evidence under tmp_path/instance, the fake clock."""
    instance = tmp_path / "instance"
    instance.mkdir(exist_ok=True)
    app = Rectify(make_settings(database_url, instance), clock=clock, registry=registry)
    try:
        yield app
    finally:
        app.database.dispose()


@pytest.fixture
def rectify_v1(rectify: Rectify, registry_v1: Registry) -> Iterator[Rectify]:
    """A second Rectify on this test's database and clock knowing only version 1 of each
    lifecycle: findings it raises start on v1; the ``rectify`` fixture still reads them."""
    app = Rectify(rectify.settings, clock=rectify.clock, registry=registry_v1)
    try:
        yield app
    finally:
        app.database.dispose()


@pytest.fixture
def rectify_v2(rectify: Rectify, registry_v2: Registry) -> Iterator[Rectify]:
    """Like ``rectify_v1``, knowing versions 1 and 2: findings it raises start on v2."""
    app = Rectify(rectify.settings, clock=rectify.clock, registry=registry_v2)
    try:
        yield app
    finally:
        app.database.dispose()


# --- the organisation ------------------------------------------------------------------------

PASSWORD = "correct-horse-battery"


_REAL_HASH = accounts_module.hash_password


@cache
def _hash_once(password: str) -> str:
    return _REAL_HASH(password)


@dataclass
class Org:
    """The unit tree and its people, as created by ``make_org``.

    Units (code in brackets)::

        commission [COMM]                       纪委监委
        └── inspection_body [IB]                纪检监察组
            ├── group_a [GA]                    集团 A
            │   ├── sub_a1 [GA-1]               权属企业 A1
            │   └── sub_a2 [GA-2]               权属企业 A2
            └── group_b [GB]                    集团 B
                └── sub_b1 [GB-1]               权属企业 B1

    Users (username = attribute name, password ``Org.password``):

    - ``admin``: admin at commission — sees everything.
    - ``supervisor``: supervisor at commission — approves extensions, waives, escalations.
    - ``inspector``, ``reviewer``: at inspection_body — raise/assign; revisit/confirm.
    - ``handler_a``, ``handler_b``: handlers at group_a / group_b (their subtree only).
    - ``handler_a1``: handler at sub_a1 — sees sub_a1 only, not group_a itself nor sub_a2.
    - ``handler_reviewer_a``: handler *and* reviewer at group_a — for "confirm what you
      reported yourself" (refused by the actor_did_not_fire guard).

    Objects are detached (loaded, committed); reload them by id in another session if needed.
    """

    commission: Unit
    inspection_body: Unit
    group_a: Unit
    group_b: Unit
    sub_a1: Unit
    sub_a2: Unit
    sub_b1: Unit
    admin: User
    supervisor: User
    inspector: User
    reviewer: User
    handler_a: User
    handler_b: User
    handler_a1: User
    handler_reviewer_a: User
    password: str = PASSWORD
    users: dict[str, User] = field(default_factory=dict)
    units: dict[str, Unit] = field(default_factory=dict)

    def handler_for(self, unit_id: int) -> User:
        """The plain handler whose unit is nearest above (or at) the given unit."""
        unit = next(u for u in self.units.values() if u.id == unit_id)
        candidates = [self.handler_a1, self.handler_a, self.handler_b]
        covering = [h for h in candidates if unit.path.startswith(h.unit.path)]
        return max(covering, key=lambda h: len(h.unit.path))


_UNITS = (  # attribute, code, zh, en, kind, parent attribute
    ("commission", "COMM", "纪委监委", "Commission", "commission", None),
    ("inspection_body", "IB", "第一纪检监察组", "Inspection body 1", "inspection_body", "commission"),
    ("group_a", "GA", "甲集团", "Group A", "group", "inspection_body"),
    ("group_b", "GB", "乙集团", "Group B", "group", "inspection_body"),
    ("sub_a1", "GA-1", "甲一公司", "Subsidiary A1", "subsidiary", "group_a"),
    ("sub_a2", "GA-2", "甲二公司", "Subsidiary A2", "subsidiary", "group_a"),
    ("sub_b1", "GB-1", "乙一公司", "Subsidiary B1", "subsidiary", "group_b"),
)
_USERS = (  # username, display name, roles, unit attribute
    ("admin", "系统管理员", ["admin"], "commission"),
    ("supervisor", "监督员", ["supervisor"], "commission"),
    ("inspector", "检查员", ["inspector"], "inspection_body"),
    ("reviewer", "复查员", ["reviewer"], "inspection_body"),
    ("handler_a", "甲集团整改联络人", ["handler"], "group_a"),
    ("handler_b", "乙集团整改联络人", ["handler"], "group_b"),
    ("handler_a1", "甲一公司整改联络人", ["handler"], "sub_a1"),
    ("handler_reviewer_a", "甲集团联络兼复查", ["handler", "reviewer"], "group_a"),
)


@pytest.fixture
def make_org(monkeypatch: pytest.MonkeyPatch) -> Callable[[Rectify], Org]:
    """A function building the Org (see its docstring) in a Rectify's database and committing.

    Password hashing is computed once per session (same hash for everyone) to keep tests fast;
    the hashes are real, so logging in with ``Org.password`` works.
    """
    monkeypatch.setattr(accounts_module, "hash_password", _hash_once)

    def build(app: Rectify) -> Org:
        with app.unit_of_work() as uow:
            units: dict[str, Unit] = {}
            for attr, code, zh, en, kind, parent in _UNITS:
                units[attr] = create_unit(uow.session, code, zh, en, kind,
                                          units[parent] if parent else None)
            users = {name: create_user(uow.session, name, display, PASSWORD, roles, units[unit])
                     for name, display, roles, unit in _USERS}
            uow.commit()
        return Org(**units, **users, users=users, units=units)

    return build


@pytest.fixture
def org(rectify: Rectify, make_org: Callable[[Rectify], Org]) -> Org:
    """The Org in this test's database."""
    return make_org(rectify)


# --- driving findings ------------------------------------------------------------------------


@pytest.fixture
def png() -> Callable[[int], bytes]:
    """png(seed) -> the bytes of a valid, distinct 1x1 PNG."""
    return png_bytes


def png_bytes(seed: int = 0) -> bytes:
    """A valid 1x1 PNG whose colour depends on seed (so each seed is a distinct file)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rgb = bytes([seed % 256, (seed // 256) % 256, (seed // 65536) % 256])
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" + rgb)) + chunk(b"IEND", b""))


# Preferred default actor per role; handlers are chosen by the finding's unit.
_ROLE_ORDER = ("inspector", "reviewer", "supervisor", "handler")


class Flow:
    """Raise findings and fire transitions with valid default payloads and actors.

    ``flow.fire(fid, "assign")`` picks an actor with the role (inspector before reviewer before
    supervisor before the handler of the finding's unit) and a valid payload, both overridable.
    Every call runs in its own unit of work, as the web and CLI do.
    """

    def __init__(self, app: Rectify, org: Org) -> None:
        self.app, self.org = app, org
        self._seed = 0

    def today(self) -> date:
        with self.app.unit_of_work(write=False) as uow:
            return uow.today()

    def finding(self, finding_id: int) -> Finding:
        with self.app.unit_of_work(write=False) as uow:
            found = uow.session.get(Finding, finding_id)
            assert found is not None
            uow.session.expunge_all()  # leaving rolls back, which would expire what we return
            return found

    def evidence(self, uploader: User) -> str:
        """Upload a fresh PNG as uploader; returns its sha256 to put in a files field."""
        self._seed += 1
        with self.app.unit_of_work() as uow:
            row = uow.store.put(uow.session, png_bytes(self._seed), f"photo-{self._seed}.png",
                                uploader)
            uow.commit()
            return row.sha256

    def raise_(self, lifecycle: str = "standard", by: User | None = None,
               inspection_id: int | None = None, **data: Any) -> Finding:
        """Raise a finding (default: standard, at group_a, by the inspector)."""
        values: dict[str, Any] = {"title": "Fire exit blocked by boxes", "category": "work_safety",
                                  "severity": "medium", "unit": self.org.group_a.id}
        values.update(data)
        with self.app.unit_of_work() as uow:
            return raise_finding(uow, by or self.org.inspector, lifecycle, values, inspection_id)

    def actor_for(self, finding: Finding, trigger: str) -> User:
        spec = self.app.registry.get(finding.lifecycle, finding.lifecycle_version)
        transition = next(t for t in spec.transitions if t.trigger == trigger)
        if "co_responsible" in transition.sides:  # a co-responsible unit's own handler
            unit_id = next(p.unit_id for p in parties_of(finding) if p.role == "co_responsible"
                           and not p.done)
            return self.org.handler_for(unit_id)
        if "responsible" in transition.sides and "handler" in transition.roles:
            return self.org.handler_for(finding.unit_id)  # the unit's own side
        for role in _ROLE_ORDER:
            if role in transition.roles:
                if role == "handler":
                    return self.org.handler_for(finding.unit_id)
                return self.org.users[role]
        raise AssertionError(f"no default actor for {trigger}")

    def payload_for(self, finding: Finding, trigger: str, actor: User) -> dict[str, Any]:
        """A valid payload for trigger on this finding (dates relative to the fake today)."""
        today = self.today()
        due = finding.due_date or today

        def photo() -> list[str]:
            return [self.evidence(actor)]

        defaults: Mapping[str, Callable[[], dict[str, Any]]] = {
            "assign": lambda: {"requirement": "Clear the exits, name a fire warden",
                               "due_date": (today + timedelta(days=14)).isoformat()},
            "report_rectification": lambda: {"measures": "Exits cleared, warden named",
                                             "evidence": photo()},
            "revisit": lambda: {"visited_on": today.isoformat(), "method": "onsite",
                                "observations": "Exits clear at the follow-up"},
            "confirm": lambda: {"conclusion": "Rectified"},
            "reject": lambda: {"reason": "Still blocked at night"},
            "request_extension": lambda: {
                "requested_due_date": (max(due, today) + timedelta(days=7)).isoformat(),
                "reason": "Parts on order"},
            "approve_extension": lambda: {"comment": "Agreed"},
            "deny_extension": lambda: {"reason": "No reason to wait"},
            "reassign": lambda: {"unit": self.org.group_b.id if finding.unit_id
                                 != self.org.group_b.id else self.org.group_a.id,
                                 "reason": "Wrong unit"},
            "withdraw": lambda: {"reason": "Raised in error"},
            "waive": lambda: {"justification": "Acted in good faith on an order"},
            "fix_on_spot": lambda: {"measures": "Moved the boxes", "photos": photo()},
            "verify_on_spot": lambda: {"conclusion": "Seen fixed"},
            "reject_on_spot": lambda: {"reason": "Not fixed"},
            # v3 names the body addressed (above the unit): the supervisor's, who then decides;
            # the lead left empty is that same body (v2 reads neither to_body nor an empty lead).
            "escalate": lambda: {"obstacle": "Needs the landlord's consent",
                                 "help_needed": "Talk to the landlord",
                                 **({"to_body": self.org.commission.id}
                                    if finding.lifecycle_version >= 3 else {})},
            "accept_escalation": lambda: {"coordinator": self.org.inspection_body.id
                                          if finding.lifecycle_version < 3 else None,
                                          "plan": "Meet the landlord"},
            # v3 parties: a co-responsible unit and its report on its part
            "add_co_responsible": lambda: {"unit": self.org.group_b.id,
                                           "part": "Clear the shared corridor"},
            "report_part": lambda: {"measures": "Corridor cleared on our side"},
            "decline_escalation": lambda: {"reason": "The unit can do it"},
            "complete_coordination": lambda: {"outcome": "Landlord agreed", "due_date":
                                              (today + timedelta(days=10)).isoformat()},
            "adopt": lambda: {"plan": "Write the rule", "due_date":
                              (today + timedelta(days=30)).isoformat()},
            "decline": lambda: {"reason": "Not applicable here"},
            "report_implementation": lambda: {"measures": "Rule published", "documents": photo()},
            # version 2 (time): 签收, 催办, the unit's waiver request, the look-back (回头看)
            "acknowledge": lambda: {"comment": "Received, on it"},
            "urge": lambda: {"message": "Please report by the due date"},
            "request_waiver": lambda: {"justification": "Acted in good faith on a written order"},
            "approve_waiver": lambda: {"comment": "Agreed, tolerated"},
            "deny_waiver": lambda: {"reason": "The order did not cover this"},
            "look_back": lambda: {"visited_on": today.isoformat(), "outcome": "held",
                                  "observations": "Still fixed at the look-back"},
        }
        return defaults[trigger]()

    def fire(self, finding_id: int, trigger: str, actor: User | None = None,
             payload: Mapping[str, Any] | None = None,
             expected_version: int | None = None) -> Finding:
        current = self.finding(finding_id)
        actor = actor or self.actor_for(current, trigger)
        if payload is None:
            payload = self.payload_for(current, trigger, actor)
        with self.app.unit_of_work() as uow:
            return fire(uow, finding_id, trigger, actor, payload, expected_version)

    def drive(self, finding_id: int, *triggers: str) -> Finding:
        """Fire each trigger in turn with the defaults; returns the finding after the last."""
        finding = self.finding(finding_id)
        for trigger in triggers:
            finding = self.fire(finding_id, trigger)
        return finding

    def events(self, finding_id: int) -> list[Event]:
        with self.app.unit_of_work(write=False) as uow:
            events = list(uow.session.scalars(
                select(Event).where(Event.finding_id == finding_id).order_by(Event.seq)))
            uow.session.expunge_all()
            return events

    def snapshot(self, finding_id: int) -> dict[str, Any]:
        """Every column of the finding's row, its event count and its evidence links."""
        with self.app.unit_of_work(write=False) as uow:
            row = uow.session.execute(
                select(Finding.__table__).where(Finding.__table__.c.id == finding_id)).one()
            events = uow.session.scalar(
                select(func.count()).select_from(Event).where(Event.finding_id == finding_id))
            links = uow.session.scalar(select(func.count()).select_from(FindingAttachment)
                                       .where(FindingAttachment.finding_id == finding_id))
            total_events = uow.session.scalar(select(func.count()).select_from(Event))
        return {"row": dict(row._mapping), "events": events, "links": links,
                "all_events": total_events}

    @contextmanager
    def refused(self, finding_id: int, error: type[BaseException]) -> Iterator[Any]:
        """Expect `error` inside the block, and that the finding and its events didn't change."""
        before = self.snapshot(finding_id)
        with pytest.raises(error) as info:
            yield info
        assert self.snapshot(finding_id) == before


@pytest.fixture
def flow(rectify: Rectify, org: Org) -> Flow:
    """A Flow over this test's Rectify and Org."""
    return Flow(rectify, org)


@pytest.fixture
def flow_v1(rectify_v1: Rectify, org: Org) -> Flow:
    """A Flow whose findings start on version 1 of their lifecycle (see ``rectify_v1``)."""
    return Flow(rectify_v1, org)


@pytest.fixture
def flow_v2(rectify_v2: Rectify, org: Org) -> Flow:
    """A Flow whose findings start on version 2 of their lifecycle (see ``rectify_v2``)."""
    return Flow(rectify_v2, org)
