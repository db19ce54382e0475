"""The ledger's one query contract (workflow/services/ledger_args.py), without a database."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from workflow.errors import InvalidInput
from workflow.services.ledger import LedgerFilter
from workflow.services.ledger_args import parse_ledger_args


def test_a_form_with_every_filter_left_at_any_is_the_whole_ledger(registry) -> None:
    args = MultiDict([("q", ""), ("state", ""), ("lifecycle", ""), ("unit", ""), ("campaign", ""),
                      ("category", ""), ("severity", ""), ("open", ""), ("overdue", ""),
                      ("light", ""), ("sort", "-created"), ("lang", "en")])
    query = parse_ledger_args(args, registry)
    assert query.filter == LedgerFilter() and query.cursor is None and query.limit == 50


def test_every_filter_is_parsed(registry) -> None:
    args = MultiDict([("q", " exit "), ("state", "assigned"), ("state", "raised"),
                      ("lifecycle", "standard"), ("unit", "7"), ("campaign", "3"),
                      ("category", "work_safety"), ("severity", "high"), ("open", "1"),
                      ("overdue", "0"), ("light", "yellow"), ("sort", "due"), ("limit", "20"),
                      ("cursor", "abc")])
    query = parse_ledger_args(args, registry)
    assert query.filter == LedgerFilter(
        states=("assigned", "raised"), lifecycle="standard", unit_id=7, campaign_id=3,
        category="work_safety", severity="high", open=True, overdue=False, light="yellow", text="exit",
        sort="due")
    assert (query.cursor, query.limit) == ("abc", 20)


@pytest.mark.parametrize(("args", "field"), [
    ({"state": ["nosuch"]}, "state"), ({"state": ["assigned", "nosuch"]}, "state"),
    ({"lifecycle": "nosuch"}, "lifecycle"), ({"category": "nosuch"}, "category"),
    ({"severity": "urgent"}, "severity"), ({"sort": "title"}, "sort"),
    ({"unit": "8.9"}, "unit"), ({"unit": "٨"}, "unit"), ({"unit": "8_0"}, "unit"),
    ({"unit": "-1"}, "unit"), ({"unit": str(2**31)}, "unit"), ({"unit": "9" * 400}, "unit"),
    ({"campaign": "x"}, "campaign"), ({"open": "maybe"}, "open"), ({"overdue": "2"}, "overdue"),
    ({"light": "blue"}, "light"), ({"light": "Red"}, "light"),
    ({"q": "x" * 201}, "q"), ({"q": "a\x00b"}, "q"), ({"q": "a\u202eb"}, "q"),
    ({"q": "\u200b"}, "q"), ({"cursor": "c" * 501}, "cursor"), ({"limit": "0"}, "limit"),
    ({"limit": "501"}, "limit"), ({"limit": "٥"}, "limit"),
])
def test_each_unknown_or_malformed_argument_is_a_field_error(registry, args, field) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_ledger_args(args, registry)
    assert set(info.value.errors) == {field}
    assert set(info.value.errors[field]) == {"zh", "en"}


def test_several_bad_arguments_are_named_at_once(registry) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_ledger_args({"category": "x", "unit": "x", "q": "\x00"}, registry)
    assert set(info.value.errors) == {"category", "unit", "q"}
