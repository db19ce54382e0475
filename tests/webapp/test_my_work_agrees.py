"""My work (a SQL query) lists exactly the findings on which the Python rule behind the
finding page and fire() offers the user a to-do transition: one answer, two forms, both backends."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from workflow.models import Finding, User
from workflow.services import available_transitions
from workflow.services.work import my_work


def test_my_work_is_what_the_finding_page_offers(driver, rectify, org):
    for lifecycle in ("standard", "immediate", "suggestion", "escalation"):
        spec = driver.lifecycle(lifecycle)
        for state in spec.states:
            driver.bring_to(lifecycle, state.name)
    with rectify.unit_of_work(write=False) as uow:
        findings = list(uow.session.scalars(
            select(Finding).options(joinedload(Finding.unit), joinedload(Finding.raised_by_unit))))
        listed_somewhere = 0
        for username in sorted(org.users):
            user = uow.session.scalars(select(User).where(User.username == username)
                                       .options(joinedload(User.unit))).one()
            in_sql = {f.id for f in my_work(uow, user, limit=10_000).items}
            in_python = {f.id for f in findings if any(
                t.todo for t in available_transitions(uow, f, user))}
            assert in_sql == in_python, username
            listed_somewhere += len(in_sql)
        assert listed_somewhere > len(org.users)
