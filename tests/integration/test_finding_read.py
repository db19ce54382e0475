"""finding_with_units (fire()'s read: one Core SELECT made into persistent objects) gives what
session.get with the two units joined gives, on SQLite and PostgreSQL: every column, both units,
clean and in the identity map; objects the session holds are kept, not duplicated."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import joinedload

from tests.conftest import Flow, Org
from workflow.models import Finding, Unit
from workflow.runtime import Rectify
from workflow.services.finding_read import finding_with_units

FINDING = [a.key for a in inspect(Finding).column_attrs]
UNIT = [a.key for a in inspect(Unit).column_attrs]


def columns(obj: Any, keys: list[str]) -> dict[str, Any]:
    return {key: getattr(obj, key) for key in keys}


def counted(rectify: Rectify) -> list[str]:
    sent: list[str] = []
    event.listen(rectify.database.engine, "before_cursor_execute",
                 lambda _c, _k, statement, *_: sent.append(statement))
    return sent


def test_the_read_is_the_orms_read(rectify: Rectify, flow: Flow, org: Org) -> None:
    finding = flow.drive(flow.raise_().id, "assign").id
    with rectify.unit_of_work(write=False) as uow:
        orm = uow.session.get(Finding, finding, options=(joinedload(Finding.unit),
                                                         joinedload(Finding.raised_by_unit)))
        assert orm is not None
        expected = (columns(orm, FINDING), columns(orm.unit, UNIT),
                    columns(orm.raised_by_unit, UNIT))
    with rectify.unit_of_work(write=False) as uow:
        uow.session.connection()  # BEGIN before counting
        sent = counted(rectify)
        read = finding_with_units(uow.session, finding)
        assert read is not None
        assert (columns(read, FINDING), columns(read.unit, UNIT),
                columns(read.raised_by_unit, UNIT)) == expected
        assert len([s for s in sent if s.lstrip().upper().startswith("SELECT")]) == 1
        for obj in (read, read.unit, read.raised_by_unit):  # persistent, clean, held
            state = inspect(obj)
            assert state.persistent and not state.modified and not state.expired
            assert obj not in uow.session.dirty
        assert uow.session.get(Finding, finding) is read  # no second object, no SQL
        assert uow.session.get(Unit, read.unit_id) is read.unit
        assert len(sent) == 1
        read.title = "Changed"  # attribute history works as on a loaded object
        assert inspect(read).attrs.title.history.deleted == [expected[0]["title"]]
        assert read.raised_by.id == read.raised_by_id  # relationships still load lazily


def test_objects_the_session_holds_are_kept(rectify: Rectify, flow: Flow, org: Org) -> None:
    finding = flow.raise_().id
    with rectify.unit_of_work(write=False) as uow:
        unit = uow.session.get(Unit, org.group_a.id)
        assert unit is not None
        unit.name_en = "Renamed, not flushed"
        read = finding_with_units(uow.session, finding)
        assert read is not None and read.unit is unit and unit.name_en == "Renamed, not flushed"
        again = finding_with_units(uow.session, finding)
        assert again is read


def test_no_such_finding(rectify: Rectify, org: Org) -> None:
    with rectify.unit_of_work(write=False) as uow:
        assert finding_with_units(uow.session, 987654) is None
