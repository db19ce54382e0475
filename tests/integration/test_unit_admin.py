"""Unit administration in the engine (SQLite and PostgreSQL): rename and recode, move a subtree
(preview, then confirm with its fingerprint), deactivate and reactivate; each change in the
admin log, each refusal changing nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from workflow.errors import Forbidden, InvalidInput, StaleUnitTree
from workflow.models import AdminChange, Finding, Unit, User
from workflow.runtime import Rectify
from workflow.services.accounts import create_user
from workflow.services.scope import findings_clause
from workflow.services.unit_move import move_unit, preview_move
from workflow.services.unit_status import deactivate_unit, reactivate_unit
from workflow.services.units import create_unit, edit_unit


def _user(uow: Any, username: str) -> User:
    return uow.session.scalars(select(User).where(User.username == username)).one()


def _tree(rectify: Rectify) -> dict[str, tuple[int | None, str, bool]]:
    """code -> (parent id, path, active) of every unit: what a refusal must leave alone."""
    with rectify.unit_of_work(write=False) as uow:
        return {u.code: (u.parent_id, u.path, u.active) for u in uow.session.scalars(select(Unit))}


def _log(rectify: Rectify) -> list[tuple[str, int, str]]:
    with rectify.unit_of_work(write=False) as uow:
        return [(c.action, c.unit_id, c.actor.username) for c in
                uow.session.scalars(select(AdminChange).order_by(AdminChange.id))]


def _preview(rectify: Rectify, unit_id: int, parent_id: Any, username: str = "admin") -> Any:
    with rectify.unit_of_work(write=False) as uow:
        preview = preview_move(uow.session, _user(uow, username),
                               uow.session.get(Unit, unit_id), parent_id)
        uow.session.expunge_all()  # leaving rolls back, which would expire what we return
        return preview


def _move(rectify: Rectify, unit_id: int, parent_id: Any, fingerprint: str,
          username: str = "admin") -> str:
    with rectify.unit_of_work() as uow:
        unit = move_unit(uow, _user(uow, username), uow.session.get(Unit, unit_id),
                         {"parent_id": parent_id, "fingerprint": fingerprint})
        return unit.path


@pytest.fixture
def second_body(rectify: Rectify, org: Any) -> Unit:
    """A second inspection body under the commission, with its own supervisor (sup2); and a
    supervisor at the first inspection body (sup1)."""
    with rectify.unit_of_work() as uow:
        body = create_unit(uow.session, "IB2", "第二纪检监察组", "Inspection body 2",
                           "inspection_body", uow.session.get(Unit, org.commission.id))
        create_user(uow.session, "sup2", "二组组长", org.password, ["supervisor"], body)
        create_user(uow.session, "sup1", "一组组长", org.password, ["supervisor"],
                    uow.session.get(Unit, org.inspection_body.id))
        uow.commit()
        uow.session.expunge(body)
        return body


def _sees(rectify: Rectify, username: str, finding_id: int) -> bool:
    with rectify.unit_of_work(write=False) as uow:
        return uow.session.scalar(select(Finding.id).where(
            Finding.id == finding_id, findings_clause(_user(uow, username)))) is not None


def test_a_move_previews_who_gains_and_loses_sight_then_rewrites_every_path(
        rectify, org, flow, second_body):
    found = flow.raise_(unit=org.sub_a1.id)
    flow.raise_(unit=org.sub_a2.id)
    flow.drive(flow.raise_(unit=org.group_a.id).id, "withdraw")
    assert _sees(rectify, "sup1", found.id) and not _sees(rectify, "sup2", found.id)
    preview = _preview(rectify, org.group_a.id, second_body.id)
    assert (preview.units_moved, preview.findings.total, preview.findings.open) == (3, 3, 2)
    assert [u.username for u in preview.gaining] == ["sup2"]
    assert [u.username for u in preview.losing] == ["inspector", "reviewer", "sup1"]
    new_path = _move(rectify, org.group_a.id, second_body.id, preview.fingerprint)
    tree = _tree(rectify)
    assert new_path == f"{second_body.path}{org.group_a.id}/"
    assert tree["GA"][:2] == (second_body.id, new_path)
    assert tree["GA-1"][1] == f"{new_path}{org.sub_a1.id}/"
    assert tree["GA-2"][1] == f"{new_path}{org.sub_a2.id}/"
    assert tree["GB-1"][1] == org.sub_b1.path  # a sibling's subtree is untouched
    assert not _sees(rectify, "sup1", found.id) and _sees(rectify, "sup2", found.id)
    assert _sees(rectify, "supervisor", found.id)  # still above it
    assert flow.finding(found.id).raised_by_unit_id == org.inspection_body.id  # written once
    assert _log(rectify)[-1] == ("move", org.group_a.id, "admin")


@pytest.mark.parametrize("target", ["group_a", "sub_a1", "commission_root"])
def test_a_cycle_or_moving_the_top_is_refused_and_nothing_changes(rectify, org, target):
    before = _tree(rectify)
    unit, parent = ((org.commission, org.group_b) if target == "commission_root"
                    else (org.group_a, getattr(org, target)))
    with pytest.raises(InvalidInput) as info:
        _preview(rectify, unit.id, parent.id)
    assert set(info.value.errors) == ({"unit"} if target == "commission_root" else {"parent_id"})
    with pytest.raises(InvalidInput):
        _move(rectify, unit.id, parent.id, "x" * 64)
    assert _tree(rectify) == before and _log(rectify) == []


@pytest.mark.parametrize("raw", [None, "", "abc", "9999", "1\x00", 2**40])
def test_a_bad_parent_is_a_field_error(rectify, org, raw):
    with pytest.raises(InvalidInput) as info:
        _preview(rectify, org.group_a.id, raw)
    assert info.value.errors["parent_id"]["en"] == "Choose the new parent unit."


def test_a_confirmation_after_the_tree_changed_is_refused(rectify, org, second_body):
    preview = _preview(rectify, org.group_a.id, second_body.id)
    meanwhile = _preview(rectify, org.sub_a2.id, org.group_b.id)
    _move(rectify, org.sub_a2.id, org.group_b.id, meanwhile.fingerprint)
    before = _tree(rectify)
    with pytest.raises(StaleUnitTree):
        _move(rectify, org.group_a.id, second_body.id, preview.fingerprint)
    assert _tree(rectify) == before
    assert [action for action, *_ in _log(rectify)] == ["move"]


def test_only_an_admin_moves_or_deactivates(rectify, org, second_body):
    before = _tree(rectify)
    with pytest.raises(Forbidden):
        _preview(rectify, org.group_a.id, second_body.id, "supervisor")
    with rectify.unit_of_work() as uow, pytest.raises(Forbidden):
        deactivate_unit(uow, _user(uow, "supervisor"), uow.session.get(Unit, org.sub_a2.id))
    assert _tree(rectify) == before and _log(rectify) == []


def _deactivate(rectify: Rectify, unit_id: int) -> None:
    with rectify.unit_of_work() as uow:
        deactivate_unit(uow, _user(uow, "admin"), uow.session.get(Unit, unit_id))


def test_a_deactivated_unit_takes_no_new_finding_but_its_findings_go_on(rectify, org, flow):
    found = flow.drive(flow.raise_(unit=org.sub_a1.id).id, "assign")
    _deactivate(rectify, org.sub_a1.id)
    assert _tree(rectify)["GA-1"][2] is False
    with pytest.raises(InvalidInput) as info:
        flow.raise_(unit=org.sub_a1.id)
    assert info.value.errors["unit"]["en"] == "This unit is deactivated and can no longer be chosen."
    assert flow.fire(found.id, "report_rectification").state == "rectified"
    assert _sees(rectify, "handler_a1", found.id)
    with pytest.raises(InvalidInput) as again:
        _deactivate(rectify, org.sub_a1.id)
    assert "already" in again.value.errors["active"]["en"]
    with rectify.unit_of_work() as uow:
        reactivate_unit(uow, _user(uow, "admin"), uow.session.get(Unit, org.sub_a1.id))
    assert flow.raise_(unit=org.sub_a1.id).unit_id == org.sub_a1.id
    assert [a for a, *_ in _log(rectify)] == ["deactivate", "reactivate"]


def test_a_unit_with_active_sub_units_is_not_deactivated(rectify, org):
    before = _tree(rectify)
    with pytest.raises(InvalidInput) as info:
        _deactivate(rectify, org.group_a.id)
    assert info.value.errors["active"]["en"].startswith("The unit has 2 active sub-units")
    assert _tree(rectify) == before


def test_a_transition_cannot_target_a_deactivated_unit(rectify, org, flow):
    found = flow.drive(flow.raise_(unit=org.sub_a1.id).id, "assign")
    _deactivate(rectify, org.sub_b1.id)
    with flow.refused(found.id, InvalidInput) as info:
        flow.fire(found.id, "reassign", org.inspector, {"unit": org.sub_b1.id, "reason": "Wrong"})
    assert "deactivated" in info.value.errors["unit"]["en"]


def _edit(rectify: Rectify, unit_id: int, **data: Any) -> Unit:
    with rectify.unit_of_work() as uow:
        unit = edit_unit(uow, _user(uow, "admin"), uow.session.get(Unit, unit_id), data)
        uow.session.expunge(unit)
        return unit


def test_a_unit_is_renamed_and_recoded_and_the_log_says_what_changed(rectify, org):
    unit = _edit(rectify, org.group_a.id, code="GA-NEW", name_zh="甲集团有限公司", name_en="Group A Ltd")
    assert (unit.code, unit.name_zh, unit.name_en) == ("GA-NEW", "甲集团有限公司", "Group A Ltd")
    with rectify.unit_of_work(write=False) as uow:
        change = uow.session.scalars(select(AdminChange)).one()
        assert change.details["old"] == {"code": "GA", "name_zh": "甲集团", "name_en": "Group A"}
        assert change.details["new"]["code"] == "GA-NEW"


@pytest.mark.parametrize(("data", "field"), [
    ({"code": "GB"}, "code"), ({"code": "has space"}, "code"), ({"code": ""}, "code"),
    ({"name_zh": "甲\x00"}, "name_zh"), ({"name_zh": "长" * 201}, "name_zh"),
    ({"name_en": "x" * 201}, "name_en"), ({"name_zh": "\ud800"}, "name_zh"),
])
def test_bad_names_and_codes_are_field_errors_and_nothing_changes(rectify, org, data, field):
    before = _tree(rectify)
    with rectify.unit_of_work(write=False) as uow:
        names = uow.session.execute(select(Unit.code, Unit.name_zh, Unit.name_en)).all()
    with pytest.raises(InvalidInput) as info:
        _edit(rectify, org.group_a.id, **data)
    assert field in info.value.errors
    with rectify.unit_of_work(write=False) as uow:
        assert uow.session.execute(select(Unit.code, Unit.name_zh, Unit.name_en)).all() == names
        assert uow.session.scalar(select(func.count()).select_from(AdminChange)) == 0
    assert _tree(rectify) == before
