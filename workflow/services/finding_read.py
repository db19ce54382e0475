"""A finding with its unit and raising body by one Core primary-key read, made into the session's
persistent objects as the ORM's own loading would leave them, without its per-row machinery."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Row, bindparam, inspect, select
from sqlalchemy.orm import Mapper, Session, joinedload
from sqlalchemy.orm.attributes import instance_state, set_committed_value
from sqlalchemy.orm.util import identity_key

from workflow.models import Finding, Unit
from workflow.services.audience import chain_people, people, people_units

T = TypeVar("T")
_WITH_UNITS = (joinedload(Finding.unit), joinedload(Finding.raised_by_unit))


def _columns(mapper: Mapper[Any]) -> tuple[tuple[str, ...], list[Any]]:
    """The mapped column attributes' keys and their table columns, in the mapper's order."""
    props = [prop for prop in mapper.column_attrs if len(prop.columns) == 1]
    return tuple(prop.key for prop in props), [prop.columns[0] for prop in props]


_FINDING_MAPPER, _UNIT_MAPPER = inspect(Finding), inspect(Unit)
_FINDING_KEYS, _FINDING_COLUMNS = _columns(_FINDING_MAPPER)
_UNIT_KEYS, _UNIT_COLUMNS = _columns(_UNIT_MAPPER)
if not _FINDING_KEYS[0] == _UNIT_KEYS[0] == "id":  # _persistent() reads the key from there
    raise RuntimeError("the primary key is no longer the first mapped column")
_UNITS = Unit.__table__
_UNIT, _RAISING = _UNITS.alias("unit"), _UNITS.alias("raising")
# Built once (its compiled form is cached): the row, its unit's columns, the raising body's.
_READ = (select(*_FINDING_COLUMNS, *(_UNIT.c[c.key] for c in _UNIT_COLUMNS),
                *(_RAISING.c[c.key] for c in _UNIT_COLUMNS))
         .join_from(Finding.__table__, _UNIT, _UNIT.c.id == Finding.__table__.c.unit_id)
         .join(_RAISING, _RAISING.c.id == Finding.__table__.c.raised_by_unit_id)
         .where(Finding.__table__.c.id == bindparam("id")))
_F, _U = len(_FINDING_KEYS), len(_UNIT_KEYS)
_PATH = _UNIT_KEYS.index("path")
_WITH_PEOPLE = {dialect: _READ.add_columns(*chain_people(_UNIT.c.path, _RAISING.c.path, dialect))
                for dialect in ("postgresql", "sqlite")}


def finding_with_units(session: Session, finding_id: int,
                       with_people: bool = False) -> Finding | None:
    """The finding with `unit` and `raised_by_unit` loaded, or None: what `session.get(Finding,
    id)` with both units joined returns. A finding the session already holds is returned as
    the session holds it (as session.get does); otherwise its row and its two units' are one
    Core SELECT, and each object the session does not hold yet is made persistent from it.
    `with_people`: the same SELECT also reads the people of both units' chains for this
    transaction's notifications (audience.chain_people), unless some were read already."""
    if identity_key(Finding, finding_id) in session.identity_map:
        return session.get(Finding, finding_id, options=_WITH_UNITS)
    connection = session.connection()
    known = people(session) if with_people else None
    if known is not None and not known.by_unit and connection.dialect.name in _WITH_PEOPLE:
        row = connection.execute(_WITH_PEOPLE[connection.dialect.name], {"id": finding_id}).first()
        if row is not None:
            known.preload(people_units(row[_F + _PATH], row[_F + _U + _PATH]), row[-2] or (),
                          bool(row[-1]))
    else:
        row = connection.execute(_READ, {"id": finding_id}).first()
    if row is None:
        return None
    unit = _persistent(session, _UNIT_MAPPER, _UNIT_KEYS, row[_F:_F + _U])
    raising = _persistent(session, _UNIT_MAPPER, _UNIT_KEYS, row[_F + _U:_F + 2 * _U])
    finding = _persistent(session, _FINDING_MAPPER, _FINDING_KEYS, row[:_F])
    set_committed_value(finding, "unit", unit)
    set_committed_value(finding, "raised_by_unit", raising)
    return finding


def _persistent(session: Session, mapper: Mapper[T], keys: tuple[str, ...],
                values: Row[Any] | tuple[Any, ...]) -> T:
    """The session's object for this row: the one it holds (as the ORM's loading would keep
    it, unrefreshed), or a new persistent one with these column values as loaded (clean, its
    relationships unloaded: they load lazily as usual)."""
    key = mapper.identity_key_from_primary_key((values[0],))  # "id" comes first
    held = session.identity_map.get(key)
    if held is not None:
        return held
    obj = mapper.class_manager.new_instance()
    state = instance_state(obj)
    state.dict.update(zip(keys, values, strict=True))
    state.key, state.identity_token = key, None
    state.session_id = session.hash_key
    session.identity_map._add_unpresent(state, key)  # as loading._instance() adds a new row
    return obj
