"""The ledger (台账) on SQLite and PostgreSQL: every filter, scoping by the actor's unit, keyset
pagination over both sorts, and refusing a cursor it did not hand out."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from datetime import date, timedelta

import pytest

from workflow.errors import InvalidInput
from workflow.services import LedgerFilter, ledger
from workflow.services.directory import create_campaign, create_inspection
from workflow.services.ledger_sorts import SORTS


def codes(rectify, actor, flt=None, **options):
    """Codes of every finding the ledger shows actor, following next_cursor to the end."""
    return [f.code for f in collect(rectify, actor, flt or LedgerFilter(**options))]


def collect(rectify, actor, flt, limit=50):
    rows, cursor = [], None
    with rectify.unit_of_work(write=False) as uow:
        while True:
            page = ledger(uow.session, actor, flt, uow.today(), cursor, limit=limit)
            assert len(page.items) <= limit
            rows.extend(page.items)
            cursor = page.next_cursor
            if cursor is None:
                uow.session.expunge_all()
                return rows
            assert len(page.items) == limit  # only a full page promises more


@pytest.fixture
def world(rectify, org, flow, clock):
    """Eight findings across the tree; afterwards the clock is ten days on.

    name        unit     lifecycle   category          severity  state      due     campaign
    exit        group_a  standard    work_safety       high      assigned   +5      -
    label       sub_a1   standard    food_safety       low       raised     -       -
    label_ok    sub_a2   standard    management        medium    withdrawn  -       -
    masks       group_b  standard    epidemic_control  high      assigned   +3      yes
    ladder      sub_b1   standard    work_safety       low       closed     +14     yes
    drills      group_a  suggestion  other             low       proposed   -       -
    floor       group_a  standard    work_safety       medium    rectified  +2      -
    extinguish  sub_a2   immediate   work_safety       medium    raised     0 (v2)  -

    An immediate finding (立行立改) is due the working day it is raised (immediate v2).
    """
    today = flow.today()
    with rectify.unit_of_work() as uow:
        campaign = create_campaign(uow.session, "春季安全专项检查", org.inspection_body, today)
        inspection = create_inspection(uow.session, org.group_b, today, "unannounced",
                                       campaign=campaign, created_by=org.inspector)
        uow.commit()
        campaign_id, inspection_id = campaign.id, inspection.id

    def due(days):
        return {"requirement": "Fix it", "due_date": (today + timedelta(days=days)).isoformat()}

    def make(name, lifecycle="standard", **data):
        found[name] = flow.raise_(lifecycle, **data)
        return found[name].id

    found = {}
    flow.fire(make("exit", title="Exit blocked 100% of the time", severity="high"),
              "assign", payload=due(5))
    clock.advance(minutes=1)
    make("label", title="Kitchen label a_b missing", category="food_safety", severity="low",
         unit=org.sub_a1.id)
    flow.drive(make("label_ok", title="Kitchen label aXb faded", category="management",
                    unit=org.sub_a2.id), "withdraw")
    masks = make("masks", title="Masks missing at the gate 口罩不足", category="epidemic_control",
                 severity="high", unit=org.group_b.id, inspection_id=inspection_id)
    flow.fire(masks, "assign", payload=due(3))
    clock.advance(minutes=1)
    ladder = make("ladder", title="Broken ladder", description="The third rung is CRACKED",
                  severity="low", unit=org.sub_b1.id, inspection_id=inspection_id)
    flow.drive(ladder, "assign", "report_rectification", "revisit", "confirm")
    make("drills", "suggestion", title="Monthly fire drills", category="other", severity="low")
    floor = make("floor", title="Wet floor, no sign")
    flow.fire(floor, "assign", payload=due(2))
    flow.fire(floor, "report_rectification")
    make("extinguish", "immediate", title="Extinguisher expired", unit=org.sub_a2.id)
    clock.advance(days=10)
    found = {name: flow.finding(f.id) for name, f in found.items()}
    return {"code": {name: f.code for name, f in found.items()}, "campaign": campaign_id,
            "findings": found}


def named(world, *names):
    return sorted(world["code"][n] for n in names)


ALL = ("exit", "label", "label_ok", "masks", "ladder", "drills", "floor", "extinguish")
GROUP_A = ("exit", "label", "label_ok", "drills", "floor", "extinguish")


FILTER_CASES = [
    ({}, ALL),
    ({"states": ("assigned",)}, ("exit", "masks")),
    ({"states": ("assigned", "rectified", "proposed")}, ("exit", "masks", "floor", "drills")),
    ({"lifecycle": "suggestion"}, ("drills",)),
    ({"category": "food_safety"}, ("label",)),
    ({"category": "work_safety"}, ("exit", "ladder", "floor", "extinguish")),
    ({"severity": "high"}, ("exit", "masks")),
    ({"overdue": True}, ("exit", "masks", "extinguish")),
    ({"overdue": False}, ("label", "label_ok", "ladder", "drills", "floor")),
    ({"open": False}, ("label_ok", "ladder")),
    ({"open": True}, ("exit", "label", "masks", "drills", "floor", "extinguish")),
    ({"open": True, "overdue": False, "severity": "medium"}, ("floor",)),
    ({"open": True, "overdue": True, "severity": "medium"}, ("extinguish",)),
    ({"text": "%"}, ("exit",)),
    ({"text": "_"}, ("label",)),
    ({"text": "a_b"}, ("label",)),
    ({"text": "100%"}, ("exit",)),
    ({"text": "kitchen"}, ("label", "label_ok")),
    ({"text": "  KITCHEN LABEL  "}, ("label", "label_ok")),
    ({"text": "cracked"}, ("ladder",)),
    ({"text": "口罩"}, ("masks",)),
    ({"text": "   "}, ALL),
    ({"text": "nothing like this"}, ()),
]


def test_each_filter_selects_exactly_its_findings(rectify, org, world, subtests):
    for options, expected in FILTER_CASES:
        with subtests.test(msg=repr(options)):
            assert sorted(codes(rectify, org.admin, **options)) == named(world, *expected)


def test_unit_campaign_and_code_filters(rectify, org, world):
    def by(**options):
        return sorted(codes(rectify, org.admin, **options))

    assert by(unit_id=org.group_a.id) == named(world, *GROUP_A)
    assert by(unit_id=org.sub_a1.id) == named(world, "label")
    # 甲集团's own findings: not those of 甲一公司 (label) and 甲二公司 (label_ok, extinguish)
    assert by(unit_id=org.group_a.id, unit_only=True) == named(world, "exit", "drills", "floor")
    assert by(unit_id=org.group_b.id) == named(world, "masks", "ladder")
    assert by(unit_id=org.commission.id) == named(world, *ALL)
    assert by(unit_id=999_999) == []
    assert by(campaign_id=world["campaign"]) == named(world, "masks", "ladder")
    assert by(text=world["code"]["label_ok"]) == named(world, "label_ok")
    assert by(unit_id=org.group_a.id, open=True, overdue=True) == named(world, "exit",
                                                                         "extinguish")
    assert by(unit_id=org.group_b.id, open=True, overdue=True) == named(world, "masks")


def test_each_actor_sees_only_its_subtree(rectify, org, world):
    def sees(actor, **options):
        return sorted(codes(rectify, actor, **options))

    for everyone in (org.admin, org.supervisor, org.inspector, org.reviewer):
        assert sees(everyone) == named(world, *ALL)
    assert sees(org.handler_a) == named(world, *GROUP_A)
    assert sees(org.handler_reviewer_a) == named(world, *GROUP_A)
    assert sees(org.handler_a1) == named(world, "label")
    assert sees(org.handler_b) == named(world, "masks", "ladder")
    # a filter never widens the scope
    assert sees(org.handler_a, unit_id=org.group_b.id) == []
    assert sees(org.handler_a1, unit_id=org.group_a.id) == named(world, "label")
    assert sees(org.handler_b, text="kitchen") == []
    assert sees(org.handler_b, campaign_id=world["campaign"], overdue=True) == named(world, "masks")


# --- keyset pagination -----------------------------------------------------------------------


@pytest.fixture
def many(org, flow, clock):
    """Seventeen findings: created in bursts (equal created_at), due dates repeating or none."""
    today, units = flow.today(), [org.group_a, org.sub_a1, org.group_b, org.sub_a2, org.sub_b1]
    ids = []
    for i in range(17):
        if i % 3 == 0:
            clock.advance(minutes=7)
        finding = flow.raise_(title=f"Finding number {i}", unit=units[i % len(units)].id)
        ids.append(finding.id)
        if i % 4:
            flow.fire(finding.id, "assign", payload={
                "requirement": "Fix", "due_date": (today + timedelta(days=i % 3)).isoformat()})
    return [flow.finding(f) for f in ids]


SORT_KEYS = {"created": lambda f: f.created_at, "due": lambda f: f.due_date or date.max,
             "code": lambda f: f.code, "state": lambda f: f.state}


def expected_order(findings, sort, unit_codes=None):
    key = SORT_KEYS.get(sort.lstrip("-")) or (lambda f: unit_codes[f.unit_id])
    ordered = sorted(findings, key=lambda f: (key(f), f.id), reverse=sort.startswith("-"))
    return [f.id for f in ordered]


@pytest.mark.parametrize("sort", SORTS)
def test_pages_return_every_row_once_in_order(rectify, org, many, sort, subtests):
    in_scope = [f for f in many if f.unit_id in (org.group_a.id, org.sub_a1.id, org.sub_a2.id)]
    codes = {u.id: u.code for u in (org.group_a, org.sub_a1, org.group_b, org.sub_a2, org.sub_b1)}
    for limit in (1, 5, 16, 17):
        with subtests.test(limit=limit):
            flt = LedgerFilter(sort=sort)
            ids = [f.id for f in collect(rectify, org.admin, flt, limit)]
            assert ids == expected_order(many, sort, codes)
            scoped = collect(rectify, org.handler_a, replace(flt, open=True), limit)
            assert [f.id for f in scoped] == expected_order(in_scope, sort, codes)


def test_a_finding_raised_between_pages_does_not_shift_the_next_page(rectify, org, flow, many):
    with rectify.unit_of_work(write=False) as uow:
        first = ledger(uow.session, org.admin, LedgerFilter(), uow.today(), None, limit=6)
        first_ids = [f.id for f in first.items]
    flow.raise_(title="Raised while someone was reading")
    with rectify.unit_of_work(write=False) as uow:
        rest = ledger(uow.session, org.admin, LedgerFilter(), uow.today(), first.next_cursor,
                      limit=100)
        rest_ids = [f.id for f in rest.items]
    order = expected_order(many, "-created")
    assert first_ids == order[:6]
    assert rest_ids == order[6:]


def cursor_of(value):
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


FOREIGN_CURSORS = [
    ("-created", "not a cursor!"),
    ("-created", "%%%%"),
    ("-created", cursor_of({"created": "2026-03-02T01:00:00+00:00", "id": 3})),
    ("-created", cursor_of(["2026-03-02T01:00:00+00:00"])),
    ("-created", cursor_of(["2026-03-02T01:00:00+00:00", "3"])),
    ("-created", cursor_of(["2026-03-02T01:00:00+00:00", 3, 4])),
    ("-created", cursor_of(["yesterday", 3])),
    ("-created", cursor_of(["2026-03-02T01:00:00", 3])),  # no zone
    ("-created", cursor_of(["2026-03-02T01:00:00+00:00", 2**63])),
    ("-created", cursor_of([20260302, 3])),
    ("due", cursor_of(["2026-03-02T01:00:00+00:00", 3])),  # a -created cursor
    ("due", cursor_of(["2026-02-30", 3])),
    ("due", cursor_of([None, 3])),
    ("due", base64.urlsafe_b64encode(b"\xff\xfe").decode()),
]


def test_a_cursor_it_did_not_hand_out_is_invalid_input(rectify, org, flow, subtests):
    flow.raise_()
    for sort, cursor in FOREIGN_CURSORS:
        with subtests.test(sort=sort, cursor=cursor):
            with rectify.unit_of_work(write=False) as uow, pytest.raises(InvalidInput) as refused:
                ledger(uow.session, org.admin, LedgerFilter(sort=sort), uow.today(), cursor, 5)
            assert set(refused.value.errors) == {"cursor"}
            assert set(refused.value.errors["cursor"]) == {"zh", "en"}


def test_an_unknown_sort_is_invalid_input(rectify, org):
    with rectify.unit_of_work(write=False) as uow, pytest.raises(InvalidInput) as refused:
        ledger(uow.session, org.admin, LedgerFilter(sort="title"), uow.today())
    assert set(refused.value.errors) == {"sort"}
