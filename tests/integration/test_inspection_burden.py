"""Burden on the grassroots: other bodies' inspections of a unit or its parent near a date, and
units inspected more often than the threshold (workflow.services.inspection_burden)."""

from __future__ import annotations

from datetime import timedelta

from workflow.config import BurdenPolicy
from workflow.models import Unit, User
from workflow.services.directory import create_inspection
from workflow.services.inspection_burden import inspection_frequency, overlapping_inspections

POLICY = BurdenPolicy(overlap_days=30, threshold=4, period_days=30)


def test_overlap_lists_other_bodies_inspections_of_the_unit_and_its_parent(rectify, org):
    with rectify.unit_of_work() as uow:
        s, today = uow.session, uow.today()
        sub_a1, group_a, sub_a2 = (s.get_one(Unit, u.id) for u in
                                   (org.sub_a1, org.group_a, org.sub_a2))
        supervisor, reviewer = s.get_one(User, org.supervisor.id), s.get_one(User, org.reviewer.id)
        parent = create_inspection(s, group_a, today - timedelta(days=10), "onsite",
                                   team="纪委监委督查组", created_by=supervisor)
        same_unit = create_inspection(s, sub_a1, today - timedelta(days=30), "online",
                                      created_by=supervisor)
        create_inspection(s, sub_a1, today - timedelta(days=31), "onsite", created_by=supervisor)
        create_inspection(s, sub_a1, today - timedelta(days=2), "onsite", created_by=reviewer)
        create_inspection(s, sub_a2, today - timedelta(days=1), "onsite", created_by=supervisor)
        inspector = s.get_one(User, org.inspector.id)
        found = overlapping_inspections(s, inspector, sub_a1, today, POLICY)
        # nearest first; not shown: 31 days off, the inspector's own body (the reviewer's
        # unit), a sibling unit
        assert [o.inspection.id for o in found] == [parent.id, same_unit.id]
        assert found[0].body is not None and found[0].body.id == org.commission.id


def test_frequency_flags_units_inspected_more_than_the_threshold(rectify, org):
    with rectify.unit_of_work() as uow:
        s, today = uow.session, uow.today()
        sub_a1, sub_a2 = s.get_one(Unit, org.sub_a1.id), s.get_one(Unit, org.sub_a2.id)
        inspector, supervisor = (s.get_one(User, u.id) for u in (org.inspector, org.supervisor))
        for days, by in ((0, inspector), (3, supervisor), (9, inspector), (20, supervisor),
                         (29, inspector)):
            create_inspection(s, sub_a1, today - timedelta(days=days), "onsite", created_by=by)
        for days in (1, 5, 10, 29, 30):  # the last one falls before the 30-day period
            create_inspection(s, sub_a2, today - timedelta(days=days), "online",
                              created_by=inspector)
        table = inspection_frequency(s, inspector, today, POLICY)
        rows = {(r.unit.id, r.inspections, r.bodies, r.flagged) for r in table.rows}
        assert rows == {(sub_a1.id, 5, 2, True), (sub_a2.id, 4, 1, False)}
        assert table.flagged_units == 1 and table.rows[0].unit.id == sub_a1.id
        outsider = s.get_one(User, org.handler_b.id)  # group_b's subtree: neither unit
        assert inspection_frequency(s, outsider, today, POLICY).rows == []
