"""Who sees a finding, in its two forms (SQLite and PostgreSQL): `findings_clause` for lists and
`sees_finding` for the one finding fire() loads agree for every user on random responsible
units and parties; get_finding answers UnknownFinding exactly where they say no."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, update
from sqlalchemy.orm import joinedload

from workflow.errors import UnknownFinding
from workflow.models import Finding, FindingParty, Unit, User
from workflow.services import get_finding
from workflow.services.parties import PARTY_ROLES, add_party
from workflow.services.scope import findings_clause, sees_finding

UNIT_NAMES = ("commission", "inspection_body", "group_a", "group_b", "sub_a1", "sub_a2", "sub_b1")
PARTY = st.tuples(st.sampled_from(PARTY_ROLES), st.sampled_from(UNIT_NAMES))
SHAPE = st.tuples(st.sampled_from(UNIT_NAMES), st.lists(PARTY, max_size=3))


@pytest.fixture
def four(flow):
    """Four findings whose unit and parties each example overwrites."""
    return [flow.raise_(title=f"Finding number {n}").id for n in range(4)]


def _shape(rectify, org, ids, shapes, clock):
    with rectify.unit_of_work() as uow:
        session = uow.session
        session.execute(delete(FindingParty).where(FindingParty.finding_id.in_(ids)))
        for finding_id, (unit_name, _) in zip(ids, shapes, strict=True):
            session.execute(update(Finding).where(Finding.id == finding_id)
                            .values(unit_id=org.units[unit_name].id, parties=""))
        for finding_id, (_, parties) in zip(ids, shapes, strict=True):
            finding = session.get(Finding, finding_id)
            for role, unit_name in parties:
                add_party(session, finding, role, session.get(Unit, org.units[unit_name].id),
                          clock())
        uow.commit()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shapes=st.lists(SHAPE, min_size=4, max_size=4))
def test_sees_finding_and_findings_clause_agree(rectify, org, four, clock, shapes):
    _shape(rectify, org, four, shapes, clock)
    for user in org.users.values():
        with rectify.unit_of_work(write=False) as uow:
            actor = uow.session.scalars(select(User).where(User.id == user.id)
                                        .options(joinedload(User.unit))).one()
            in_sql = set(uow.session.scalars(select(Finding.id).where(
                Finding.id.in_(four), findings_clause(actor))))
            in_python = {f.id for f in uow.session.scalars(select(Finding).where(
                Finding.id.in_(four))) if sees_finding(uow.session, actor, f)}
            assert in_sql == in_python, (user.username, shapes)
            for finding_id in four:  # in a fresh session: nothing loaded before the check
                uow.session.expunge_all()
                if finding_id in in_python:
                    assert get_finding(uow.session, actor, finding_id).id == finding_id
                else:
                    with pytest.raises(UnknownFinding):
                        get_finding(uow.session, actor, finding_id)
