"""Unit kinds in the engine (SQLite and PostgreSQL): a unit is added or edited only with a
declared kind and a one-line document-number prefix; a custom kinds file makes its kinds usable
(and its inspecting kinds organise campaigns); the start refuses units of an undeclared kind."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kinds_support import rectify_with_bureau
from sqlalchemy import func, select

from web import create_app
from workflow.demo import load_demo
from workflow.errors import Forbidden, InvalidInput, UnitKindsError
from workflow.models import Campaign, Unit, User
from workflow.runtime import Rectify
from workflow.services.directory import add_campaign
from workflow.services.units import add_unit, create_unit, edit_unit


@pytest.fixture
def with_bureau(rectify: Rectify, tmp_path: Path) -> Iterator[Rectify]:
    """A second Rectify on the same database whose kinds file declares `bureau` and lets groups
    inspect."""
    other = rectify_with_bureau(rectify, tmp_path)
    yield other
    other.database.dispose()


def _add(rectify: Rectify, username: str, **data: Any) -> Unit:
    with rectify.unit_of_work() as uow:
        actor = uow.session.scalars(select(User).where(User.username == username)).one()
        unit = add_unit(uow, actor, data)
        uow.session.expunge(unit)
        return unit


def _edit(rectify: Rectify, unit_id: int, username: str = "admin", **data: Any) -> Unit:
    with rectify.unit_of_work() as uow:
        actor = uow.session.scalars(select(User).where(User.username == username)).one()
        unit = edit_unit(uow, actor, uow.session.get(Unit, unit_id), data)
        uow.session.expunge(unit)
        return unit


def _unit_count(rectify: Rectify) -> int:
    with rectify.unit_of_work(write=False) as uow:
        return int(uow.session.scalar(select(func.count()).select_from(Unit)) or 0)


def test_a_department_is_added_with_its_document_number_prefix(rectify, org):
    unit = _add(rectify, "admin", code="SUP-HR", name_zh="人社厅", kind="department",
                doc_prefix=" 苏人社函 ", parent_id=org.commission.id)
    assert (unit.kind, unit.doc_prefix, unit.name_en) == ("department", "苏人社函", "人社厅")


def test_an_undeclared_kind_is_a_field_error_and_nothing_is_written(rectify, org):
    before = _unit_count(rectify)
    with pytest.raises(InvalidInput) as refused:
        _add(rectify, "admin", code="SUP-MR", name_zh="市场监管局", kind="bureau",
             parent_id=org.commission.id)
    assert set(refused.value.errors) == {"kind"}
    assert refused.value.errors["kind"]["en"].startswith(
        "The unit kind 'bureau' is not declared. Choose one of: commission, inspection_body, "
        "department")
    assert "职能部门" in refused.value.errors["kind"]["zh"]
    assert _unit_count(rectify) == before


def test_a_kind_the_custom_file_declares_is_usable(rectify, org, with_bureau):
    unit = _add(with_bureau, "admin", code="SUP-MR", name_zh="市场监管局", kind="bureau",
                parent_id=org.commission.id)
    assert unit.kind == "bureau"
    with pytest.raises(InvalidInput) as refused:  # the custom file has no department
        _add(with_bureau, "admin", code="SUP-HR", name_zh="人社厅", kind="department")
    assert set(refused.value.errors) == {"kind"}


def test_the_inspecting_kinds_come_from_the_file(rectify, org, with_bureau):
    """A supervisor may name a campaign's organiser below them only if its kind inspects."""
    data = {"name": "夏季检查", "starts_on": "2026-06-01", "organiser_id": org.group_a.id}
    with rectify.unit_of_work() as uow, pytest.raises(InvalidInput) as refused:
        add_campaign(uow, uow.session.get(User, org.supervisor.id), data)
    assert set(refused.value.errors) == {"organiser_id"}
    with with_bureau.unit_of_work() as uow:  # there, groups inspect
        campaign = add_campaign(uow, uow.session.get(User, org.supervisor.id), data)
        assert uow.session.get(Campaign, campaign.id) is not None


@pytest.mark.parametrize(("prefix", "problem"), [
    ("苏 纪提", "The document number prefix must be one line with no spaces, for example 苏纪提."),
    ("苏纪\n提", "The document number prefix must be one line with no spaces, for example 苏纪提."),
    ("苏纪\t提", "The document number prefix must be one line with no spaces, for example 苏纪提."),
    ("纪" * 33, "Enter at most 32 characters."),
    (12, "Enter text."),
])
def test_a_bad_prefix_is_a_field_error_on_add_and_edit(rectify, org, prefix, problem):
    with pytest.raises(InvalidInput) as refused:
        _add(rectify, "admin", code="X-1", name_zh="某单位", kind="group", doc_prefix=prefix)
    assert refused.value.errors == {"doc_prefix": refused.value.errors["doc_prefix"]}
    assert refused.value.errors["doc_prefix"]["en"] == problem
    with pytest.raises(InvalidInput) as refused:
        _edit(rectify, org.commission.id, doc_prefix=prefix)
    assert refused.value.errors["doc_prefix"]["en"] == problem
    assert _edit(rectify, org.commission.id).doc_prefix == ""  # nothing changed


def test_editing_changes_what_is_sent_only(rectify, org):
    unit = _edit(rectify, org.group_a.id, doc_prefix="甲集团函", kind="department")
    assert (unit.doc_prefix, unit.kind, unit.name_zh, unit.code) == (
        "甲集团函", "department", org.group_a.name_zh, org.group_a.code)
    unit = _edit(rectify, org.group_a.id, doc_prefix="", name_en="")
    assert (unit.doc_prefix, unit.name_en, unit.kind) == ("", org.group_a.name_zh, "department")


def test_editing_refuses_an_undeclared_kind_other_fields_and_non_admins(rectify, org):
    with pytest.raises(InvalidInput) as refused:
        _edit(rectify, org.group_a.id, kind="bureau", path="/9/", parent_id=org.group_b.id,
              name_zh="")
    assert sorted(refused.value.errors) == ["kind", "name_zh", "parent_id", "path"]
    assert refused.value.errors["path"]["en"] == "There is no such field."
    assert refused.value.errors["parent_id"]["en"] == "There is no such field."  # a move: unit_move.py
    assert refused.value.errors["name_zh"]["en"] == "This field is required."
    with pytest.raises(Forbidden):
        _edit(rectify, org.group_a.id, username="supervisor", doc_prefix="甲")
    unit = _edit(rectify, org.group_a.id)
    assert (unit.kind, unit.doc_prefix, unit.code) == ("group", "", org.group_a.code)


def test_units_of_an_undeclared_kind_stop_the_start(rectify, org, with_bureau):
    with rectify.unit_of_work() as uow:
        create_unit(uow.session, "SUP-MR", "市场监管局", "Market regulation", "bureau")
        create_unit(uow.session, "SUP-MR2", "市场监管分局", "Market regulation 2", "bureau")
        uow.commit()
    with pytest.raises(UnitKindsError) as refused:
        rectify.check_unit_kinds_in_use()
    assert refused.value.problems == [
        f"units have kinds not declared in {rectify.settings.unit_kinds_path}:",
        "'bureau': 2 unit(s), e.g. SUP-MR; declare the kind again or change those units' kind"]
    with pytest.raises(UnitKindsError):
        create_app({"RECTIFY": rectify, "TESTING": True})
    # The file that declares bureau lacks department and site, which no unit has: it starts.
    with_bureau.check_unit_kinds_in_use()
    assert create_app({"RECTIFY": with_bureau, "TESTING": True})


def test_the_demo_refuses_to_load_units_of_kinds_not_declared(rectify, tmp_path):
    other = rectify_with_bureau(rectify, tmp_path)  # declares no `site`
    try:
        with pytest.raises(UnitKindsError, match=r"the demo needs unit kinds not declared in "
                                                 r".*ours\.yaml: .*site"):
            load_demo(other)
    finally:
        other.database.dispose()
    assert _unit_count(rectify) == 0
