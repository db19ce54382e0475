"""The global search on SQLite and PostgreSQL: each group finds by its text and never shows what
lies outside the actor's scope; a finding's exact code is recognised; bad queries name 'q'."""

from __future__ import annotations

import pytest

from workflow.errors import InvalidInput
from workflow.services.search import GROUP_LIMIT, search


def found(rectify, actor, q):
    with rectify.unit_of_work(write=False) as uow:
        r = search(uow, actor, q)
        return {"exact": r.exact.code if r.exact else None,
                "findings": sorted(f.code for f in r.findings.rows),
                "units": [u.code for u in r.units.rows],
                "people": [p.username for p in r.people.rows],
                "more": r.findings.more}


def test_a_handler_finds_only_within_its_scope(rectify, org, flow):
    ours = flow.raise_(title="Blocked exit in the warehouse", unit=org.group_a.id)
    theirs = flow.raise_(title="Blocked exit in the canteen", unit=org.group_b.id)
    a = found(rectify, org.handler_a, "blocked exit")
    assert a["findings"] == [ours.code]
    assert found(rectify, org.inspector, "blocked exit")["findings"] == sorted(
        [ours.code, theirs.code])
    # another unit's finding, even by its exact code, is neither listed nor recognised
    assert found(rectify, org.handler_a, theirs.code) == {
        "exact": None, "findings": [], "units": [], "people": [], "more": False}
    assert found(rectify, org.handler_b, theirs.code)["exact"] == theirs.code
    # units by code and names: group_a's subtree only
    assert found(rectify, org.handler_a, "GA")["units"] == ["GA", "GA-1", "GA-2"]
    assert found(rectify, org.handler_a, "GB")["units"] == []
    assert found(rectify, org.handler_a1, "集团")["units"] == []
    # people: the users of units the actor sees; the admin sees everyone
    assert found(rectify, org.handler_a, "handler")["people"] == [
        "handler_a", "handler_a1", "handler_reviewer_a"]
    assert "handler_b" in found(rectify, org.admin, "handler")["people"]


def test_a_code_prefix_lists_and_the_group_is_capped(rectify, org, flow):
    codes = [flow.raise_(title=f"Item {n}").code for n in range(GROUP_LIMIT + 1)]
    year = codes[0][:4]
    result = found(rectify, org.inspector, f"{year}-00")
    assert result["exact"] is None
    assert len(result["findings"]) == GROUP_LIMIT and result["more"] is True


@pytest.mark.parametrize("q", ["a\x00b", "\ud800", "x" * 10_000])
def test_bad_queries_are_refused_naming_q(rectify, org, q):
    with rectify.unit_of_work(write=False) as uow, pytest.raises(InvalidInput) as refused:
        search(uow, org.inspector, q)
    assert set(refused.value.errors) == {"q"}


def test_an_empty_query_finds_nothing(rectify, org, flow):
    flow.raise_()
    assert found(rectify, org.admin, "   ") == {
        "exact": None, "findings": [], "units": [], "people": [], "more": False}
