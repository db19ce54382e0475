"""Saved ledger filters: checked through the ledger's contract, per user, at most 20, 40 chars."""

from __future__ import annotations

import pytest

from workflow.errors import Forbidden, InvalidInput
from workflow.services.saved_filters import (
    delete_filter,
    save_filter,
    saved_filters,
    saved_query,
)


def save(rectify, user, name, query):
    with rectify.unit_of_work() as uow:
        row = save_filter(uow, user, name, query)
        return row.id, row.query


def test_a_saved_query_is_the_ledgers_without_its_cursor_and_reapplied(rectify, org, flow):
    state = flow.finding(flow.raise_().id).state
    filter_id, query = save(rectify, org.supervisor, " 待整改 ",
                            f"?state={state}&state={state}&open=1&sort=-due&cursor=abc")
    assert query == f"state={state}&state={state}&open=1&sort=-due"
    save(rectify, org.supervisor, "待整改", "overdue=1")  # the same name: replaced
    with rectify.unit_of_work() as uow:
        assert [(f.name, f.query) for f in saved_filters(uow, org.supervisor)] == [
            ("待整改", "overdue=1")]
        assert saved_query(uow, org.supervisor, filter_id) == "overdue=1"
        assert saved_filters(uow, org.inspector) == []


@pytest.mark.parametrize(("name", "query", "field"), [
    ("", "open=1", "name"), ("x" * 41, "open=1", "name"), ("a\x00b", "open=1", "name"),
    ("ok", "state=no_such_state", "state"), ("ok", "sort=title", "sort"),
    ("a\udc80", "open=1", "name"), ("ok", "q=%00", "query"), ("ok", "q=" + "x" * 2000, "query"),
])
def test_a_bad_name_or_query_is_a_field_error_and_nothing_saved(rectify, org, name, query,
                                                                field):
    with rectify.unit_of_work() as uow:
        with pytest.raises(InvalidInput) as refused:
            save_filter(uow, org.supervisor, name, query)
        assert set(refused.value.errors) == {field}
        assert saved_filters(uow, org.supervisor) == []


def test_at_most_twenty_per_user(rectify, org):
    for n in range(20):
        save(rectify, org.supervisor, f"filter {n}", "open=1")
    save(rectify, org.supervisor, "filter 3", "open=0")  # replacing one is still fine
    with rectify.unit_of_work() as uow, pytest.raises(InvalidInput) as refused:
        save_filter(uow, org.supervisor, "one too many", "open=1")
    assert set(refused.value.errors) == {"name"}
    save(rectify, org.inspector, "someone else's first", "open=1")


def test_only_the_owner_uses_or_deletes_a_saved_filter(rectify, org):
    filter_id, _query = save(rectify, org.supervisor, "mine", "open=1")
    with rectify.unit_of_work() as uow:
        with pytest.raises(Forbidden):
            saved_query(uow, org.inspector, filter_id)
        with pytest.raises(Forbidden):
            delete_filter(uow, org.inspector, filter_id)
        assert saved_query(uow, org.supervisor, 10**6) is None
    with rectify.unit_of_work() as uow:
        assert delete_filter(uow, org.supervisor, filter_id)
        assert saved_filters(uow, org.supervisor) == []
