"""The unit picker's service on SQLite and PostgreSQL: ranking, path search, recent units first,
tree browsing, and what each purpose offers (never a unit outside the actor's scope)."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from workflow.errors import InvalidInput
from workflow.models import Unit
from workflow.services.unit_offer import field_purpose, offer_for
from workflow.services.unit_picker import child_units, find_units, unit_id_for_code


def codes(rectify, actor, purpose, q):
    with rectify.unit_of_work(write=False) as uow:
        return [c.code for c in find_units(uow.session, offer_for(uow, actor, purpose), q)]


def children(rectify, actor, purpose, parent):
    with rectify.unit_of_work(write=False) as uow:
        offer = offer_for(uow, actor, purpose)
        return {c.code: c for c in child_units(uow.session, offer, parent)[0]}


def test_exact_code_first_then_prefixes_then_substrings(rectify, org):
    assert codes(rectify, org.inspector, "filter", "ga") == ["GA", "GA-1", "GA-2"]
    # a name's prefix before a name that merely contains the text, shallow before deep
    assert codes(rectify, org.inspector, "filter", "甲") == ["GA", "GA-1", "GA-2"]
    assert codes(rectify, org.inspector, "filter", "一") == ["IB", "GA-1", "GB-1"]
    assert codes(rectify, org.inspector, "filter", "a1") == ["GA-1"]  # "Subsidiary A1"


def test_words_match_the_unit_or_its_ancestors(rectify, org):
    """The path search: 甲集团 names the ancestor, 二 the unit itself."""
    assert codes(rectify, org.inspector, "filter", "甲集团 二") == ["GA-2"]
    assert codes(rectify, org.inspector, "filter", "乙集团 公司") == ["GB-1"]
    assert codes(rectify, org.inspector, "filter", "nothing-like-it") == []


def test_recent_units_come_first(rectify, org, flow):
    flow.raise_(unit=org.group_a.id)
    flow.raise_(unit=org.sub_b1.id)  # the latest
    # all three contain 公司 alike: the recent one leads
    assert codes(rectify, org.inspector, "raise", "公司") == ["GB-1", "GA-1", "GA-2"]
    # nothing typed: the recent units, newest first, then the top the actor may browse
    with rectify.unit_of_work(write=False) as uow:
        listed = find_units(uow.session, offer_for(uow, org.inspector, "raise"), "")
    assert [(c.code, c.recent, c.selectable) for c in listed] == [
        ("GB-1", True, True), ("GA", True, True), ("IB", False, False)]
    assert listed[0].path_text("zh") == "纪委监委 / 第一纪检监察组 / 乙集团"
    # another user's recent units are not theirs
    assert codes(rectify, org.supervisor, "filter", "") == ["COMM"]


def test_browsing_opens_one_level_at_a_time(rectify, org):
    top = children(rectify, org.inspector, "raise", "")
    assert list(top) == ["IB"] and top["IB"].has_children and not top["IB"].selectable
    under = children(rectify, org.inspector, "raise", org.inspection_body.id)
    assert list(under) == ["GA", "GB"] and all(c.selectable for c in under.values())
    assert not children(rectify, org.inspector, "raise", org.sub_a1.id)  # a leaf
    assert list(children(rectify, org.admin, "choose", "")) == ["COMM"]  # admins: the roots


def test_a_handler_never_gets_a_unit_outside_its_scope(rectify, org):
    for purpose in ("filter", "choose", "raise"):
        assert codes(rectify, org.handler_a, purpose, "公司") == ["GA-1", "GA-2"]
        assert codes(rectify, org.handler_a, purpose, "乙") == []
        assert codes(rectify, org.handler_a1, purpose, "甲") == ["GA-1"]
        for parent in (org.group_b.id, org.inspection_body.id, 999_999, "x", "8.9"):
            with pytest.raises(InvalidInput) as refused:
                children(rectify, org.handler_a, purpose, parent)
            assert set(refused.value.errors) == {"parent"}


def test_a_unit_field_offers_what_its_transition_declares(rectify, org):
    reassign = field_purpose("standard", 3, "reassign", "unit")
    assert codes(rectify, org.inspector, reassign, "COMM") == []  # `scope: actor`
    coordinator = field_purpose("escalation", 2, "accept_escalation", "coordinator")
    assert codes(rectify, org.supervisor, coordinator, "公司") == ["GA-1", "GA-2", "GB-1"]
    assert codes(rectify, org.supervisor, coordinator, "COMM") == ["COMM"]  # `scope: all`
    # not the transition's role, not a unit field, no such field or lifecycle: refused
    for actor, purpose in ((org.handler_a, coordinator),
                           (org.inspector, field_purpose("standard", 3, "reassign", "reason")),
                           (org.inspector, field_purpose("standard", 3, "reassign", "nope")),
                           (org.inspector, field_purpose("nope", 1, "reassign", "unit")),
                           (org.inspector, "field:standard"), (org.inspector, "everything"),
                           (org.inspector, None)):
        with pytest.raises(InvalidInput) as refused:
            codes(rectify, actor, purpose, "")
        assert set(refused.value.errors) == {"purpose"}, purpose


def test_deactivated_units_are_offered_to_filters_only(rectify, org):
    with rectify.unit_of_work() as uow:
        uow.session.execute(update(Unit).where(Unit.id == org.sub_a2.id).values(active=False))
        uow.commit()
    assert codes(rectify, org.inspector, "choose", "公司") == ["GA-1", "GB-1"]
    assert codes(rectify, org.inspector, "raise", "公司") == ["GA-1", "GB-1"]
    assert list(children(rectify, org.inspector, "raise", org.group_a.id)) == ["GA-1"]
    assert codes(rectify, org.inspector, "filter", "公司") == ["GA-1", "GA-2", "GB-1"]


@pytest.mark.parametrize("q", ["a\x00b", "x" * 101, "\ud800"])
def test_a_bad_query_names_q(rectify, org, q):
    with pytest.raises(InvalidInput) as refused:
        codes(rectify, org.inspector, "filter", q)
    assert set(refused.value.errors) == {"q"}


def test_like_wildcards_are_plain_text(rectify, org):
    assert codes(rectify, org.inspector, "filter", "%") == []
    assert codes(rectify, org.inspector, "filter", "_") == []


def test_a_typed_code_names_a_unit_or_nothing(rectify, org):
    with rectify.unit_of_work(write=False) as uow:
        assert unit_id_for_code(uow.session, " GA-1 ") == org.sub_a1.id
        assert unit_id_for_code(uow.session, "ga-1") is None  # codes are exact
        assert unit_id_for_code(uow.session, "GA\x00") is None  # never sent to the database
        assert unit_id_for_code(uow.session, "x" * 65) is None
