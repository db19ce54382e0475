"""Who a notification audience means on the unit tree, read once per transaction in one query."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import (
    JSON,
    ColumnElement,
    Integer,
    any_,
    bindparam,
    cast,
    event,
    func,
    literal,
    literal_column,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, SessionTransaction

from workflow.models import Finding, Unit, User, WebhookEndpoint
from workflow.services.parties import party_units
from workflow.spec import Registry

# audience -> (roles, where to look): "unit" the finding's unit, "parent" the one above it,
# "raising" the body that raised it; each walks up to the nearest unit that has such people.
CHAIN_AUDIENCES: Mapping[str, tuple[tuple[str, ...], str]] = {
    "unit_handlers": (("handler",), "unit"),
    "unit_supervisors": (("supervisor",), "unit"),
    "parent_supervisors": (("supervisor",), "parent"),
    "raising_body": (("inspector", "supervisor"), "raising"),
    "reviewers": (("reviewer",), "raising"),
}
# audience -> (roles, party role): the active people of the finding's party units of that role
# (exactly those units: a party acts as itself, workflow.services.scope.takes_side).
PARTY_AUDIENCES: Mapping[str, tuple[tuple[str, ...], str]] = {
    "addressee": (("supervisor",), "addressee"),
    "lead": (("supervisor",), "lead"),
    "co_responsible": (("handler",), "co_responsible"),
}
_KEY = "rectify.people"  # session.info: the People read in the current transaction


@dataclass(frozen=True, slots=True)
class Person:
    """What telling a user needs (the bell, the outbox, the message), as read with the audience."""

    id: int
    username: str
    display_name: str
    unit_id: int
    role_set: frozenset[str]
    language: str
    email: str
    notify_email: str
    notify_webhook: str

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_set.intersection(roles))


_USERS = User.metadata.tables[User.__tablename__].c
_HOOKS = WebhookEndpoint.metadata.tables[WebhookEndpoint.__tablename__].c
_COLUMNS = (_USERS.id, _USERS.username, _USERS.display_name, _USERS.unit_id, _USERS.roles,
            _USERS.language, _USERS.email, _USERS.notify_email, _USERS.notify_webhook)
# Built once (its cache key is memoised), on the tables (a Core statement: no ORM result
# machinery): the active people of some units and some users, and whether any webhook endpoint
# is active (so a transaction without any asks no second question).
_PEOPLE = select(*_COLUMNS, select(_HOOKS.id).where(_HOOKS.active.is_(True))
                 .exists().label("endpoints")).where(
    _USERS.active.is_(True), or_(_USERS.unit_id.in_(bindparam("units", expanding=True)),
                                 _USERS.id.in_(bindparam("ids", expanding=True))))
_ENDPOINTS = select(WebhookEndpoint).where(WebhookEndpoint.active.is_(True)).order_by(
    WebhookEndpoint.id)


@dataclass
class People:
    """The active people read so far in this transaction, by unit and by id; forgotten when the
    transaction ends or flushes a change to users, units or webhook endpoints."""

    by_unit: dict[int, list[Person]] = field(default_factory=dict)
    by_id: dict[int, Person] = field(default_factory=dict)
    asked_ids: set[int] = field(default_factory=set)
    any_endpoint: bool | None = None
    endpoints: Sequence[WebhookEndpoint] | None = None

    def load(self, session: Session, units: Collection[int], ids: Collection[int]) -> None:
        """Read the units' people and the users not read yet, in one statement (none if all are)."""
        units = [u for u in units if u not in self.by_unit]
        ids = [i for i in ids if i not in self.asked_ids and i not in self.by_id]
        if not units and not ids:
            return
        rows = session.connection().execute(_PEOPLE, {"units": units, "ids": ids}).all()
        for unit_id in units:
            self.by_unit[unit_id] = []
        self.asked_ids.update(ids)
        for row in rows:
            self._add(row, units)
            self.any_endpoint = bool(row.endpoints)

    def preload(self, units: Collection[int], rows: Iterable[Sequence[Any]],
                any_endpoint: bool) -> None:
        """What a finding's read brought along (`chain_people`): every active person of these
        units, as load() would have read them."""
        units = [u for u in units if u not in self.by_unit]
        for unit_id in units:
            self.by_unit[unit_id] = []
        for row in rows:
            self._add(row, units)
        if self.any_endpoint is None:
            self.any_endpoint = any_endpoint

    def _add(self, row: Sequence[Any], units: Collection[int]) -> None:
        """One row of _COLUMNS: its person (kept if already read), listed under its unit."""
        person = self.by_id.get(row[0]) or Person(
            row[0], row[1], row[2], row[3], frozenset(row[4].split()), *row[5:9])
        self.by_id[person.id] = person
        if person.unit_id in units:
            self.by_unit[person.unit_id].append(person)

    def active_endpoints(self, session: Session) -> Sequence[WebhookEndpoint]:
        """The active webhook endpoints, asked once (not at all if the people query said none)."""
        if self.endpoints is None:
            self.endpoints = (session.scalars(_ENDPOINTS).all() if self.any_endpoint is not False
                              else ())
        return self.endpoints


def people(session: Session) -> People:
    """This transaction's People."""
    found = session.info.get(_KEY)
    if found is None:
        found = session.info[_KEY] = People()
    return found


@event.listens_for(Session, "after_transaction_end")
def _forget_at_end(session: Session, transaction: SessionTransaction) -> None:
    """Another transaction may see other people: nothing read is kept past this one (nor past
    a savepoint, which may have changed them); a flush's own subtransaction keeps them."""
    if transaction.parent is None or transaction.nested:
        session.info.pop(_KEY, None)


@event.listens_for(Session, "before_flush")
def _forget_on_change(session: Session, *_: Any) -> None:
    """A change to users, units or endpoints in this transaction: read them again."""
    if _KEY in session.info and any(isinstance(o, (User, Unit, WebhookEndpoint)) for o in (
            *session.new, *session.dirty, *session.deleted)):
        del session.info[_KEY]


def chain_people(unit_path: ColumnElement[str], raising_path: ColumnElement[str],
                 dialect: str) -> tuple[ColumnElement[Any], ColumnElement[bool]]:
    """Two columns for a read of a finding (its unit's and raising body's paths in it): the
    active people of every unit on both chains as a JSON array of _COLUMNS rows (or null:
    none), and whether any webhook endpoint is active. People.preload takes them; the chain
    audiences then need no read of their own (`people_units` names those units)."""
    paths = unit_path + func.substr(raising_path, 2)  # "/1/2/3/" + "1/2/" : every id, "/"-split
    if dialect == "postgresql":
        ids = cast(func.string_to_array(func.btrim(paths, "/"), "/"), ARRAY(Integer))
        on_chain = _USERS.unit_id == any_(ids)
        rows = func.json_agg(func.json_build_array(*_COLUMNS))
    else:  # SQLite: "[1,2,3,1,2]" read by json_each
        ids_json = literal("[") + func.replace(func.trim(paths, "/"), "/", ",") + literal("]")
        on_chain = _USERS.unit_id.in_(select(literal_column("value")).select_from(
            func.json_each(ids_json)))
        rows = func.json_group_array(func.json_array(*_COLUMNS))
    people = select(rows).where(_USERS.active.is_(True), on_chain).scalar_subquery()
    return (type_coerce(people, JSON).label("chain_people"),
            select(_HOOKS.id).where(_HOOKS.active.is_(True)).exists().label("endpoints"))


def people_units(unit_path: str, raising_path: str) -> set[int]:
    """The units whose people chain_people read: both chains, every unit on them."""
    return {int(part) for path in (unit_path, raising_path) for part in path.strip("/").split("/")}


_NOTIFYING: WeakKeyDictionary[Registry, frozenset[str]] = WeakKeyDictionary()


def may_notify(registry: Registry, trigger: str) -> bool:
    """Whether a transition of this name notifies anyone in some loaded lifecycle version
    (fire() then reads the people of the finding's chains with the finding itself)."""
    if registry not in _NOTIFYING:
        _NOTIFYING[registry] = frozenset(t.trigger for lc in registry.all() for t in lc.transitions
                                         if any(e.name == "notify" for e in t.effects))
    return trigger in _NOTIFYING[registry]


def audience_chain(finding: Finding, where: str) -> list[int]:
    """The unit ids an audience walks, nearest first: the finding's unit, its parent or the
    raising body, then each one above (read from the unit's path: nothing is loaded)."""
    start = finding.unit if where in ("unit", "parent") else finding.raised_by_unit
    if start is None:
        return []
    chain = [int(part) for part in start.path.strip("/").split("/")][::-1]  # self, parent, ...
    return chain[1:] if where == "parent" else chain


def resolve(session: Session, finding: Finding, audiences: Iterable[str]) -> list[list[Person]]:
    """Each audience's active people for this finding, nearest unit first (one read at most)."""
    asked = list(audiences)
    plans: list[tuple[str, Any]] = []
    units: set[int] = set()
    ids: set[int] = set()
    for audience in asked:
        if audience == "raiser":
            plans.append(("raiser", finding.raised_by_id))
            ids.add(finding.raised_by_id)
        elif audience in PARTY_AUDIENCES:
            roles, party_role = PARTY_AUDIENCES[audience]
            plans.append(("party", (roles, party_units(finding, party_role))))
            units.update(plans[-1][1][1])
        else:
            roles, where = CHAIN_AUDIENCES[audience]
            plans.append(("chain", (roles, audience_chain(finding, where))))
            units.update(plans[-1][1][1])
    known = people(session)
    known.load(session, units, ids)
    return [_pick(known, kind, plan) for kind, plan in plans]


def _pick(known: People, kind: str, plan: Any) -> list[Person]:
    if kind == "raiser":
        raiser = known.by_id.get(plan)
        return [raiser] if raiser is not None else []
    roles, units = plan
    if kind == "party":
        return sorted((p for u in set(units) for p in known.by_unit[u] if p.has_role(*roles)),
                      key=lambda p: p.id)
    for unit_id in units:
        found = [p for p in known.by_unit[unit_id] if p.has_role(*roles)]
        if found:
            return sorted(found, key=lambda p: p.id)
    return []
