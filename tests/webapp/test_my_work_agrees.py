"""My work (a SQL query) lists exactly the findings on which the Python rule behind the
finding page and fire() offers the user a to-do transition: one answer, two forms, both backends."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from workflow.guards import GUARDS, Context
from workflow.models import Finding, User
from workflow.services import available_transitions
from workflow.services.work import my_work


def test_my_work_is_what_the_finding_page_offers(driver, rectify, org):
    for lifecycle in ("standard", "immediate", "suggestion", "escalation"):
        spec = driver.lifecycle(lifecycle)
        for state in spec.states:
            driver.bring_to(lifecycle, state.name)
    _with_parties(driver, org)
    with rectify.unit_of_work() as uow:  # sees escalations addressed above it, decides none
        uow.session.add(User(username="supervisor_ib", display_name="supervisor_ib",
                             password_hash="-", roles="supervisor", unit_id=org.inspection_body.id))
        uow.commit()
    with rectify.unit_of_work(write=False) as uow:
        findings = list(uow.session.scalars(
            select(Finding).options(joinedload(Finding.unit), joinedload(Finding.raised_by_unit))))
        listed_somewhere = 0
        for username in [*sorted(org.users), "supervisor_ib"]:
            user = uow.session.scalars(select(User).where(User.username == username)
                                       .options(joinedload(User.unit))).one()
            in_sql = {f.id for f in my_work(uow, user, limit=10_000).items}
            in_python = {f.id for f in findings if any(
                t.todo for t in available_transitions(uow, f, user))}
            assert in_sql == in_python, username
            listed_somewhere += len(in_sql)
        assert listed_somewhere > len(org.users)


def _with_parties(driver, org) -> None:
    """Findings where the party sides matter (v3): co-responsible units with a part open or
    done (report_part; confirm waits for every part), escalations addressed to a body (accept,
    decline) and led by one (complete_coordination)."""
    def add(finding, unit):
        response = driver.fire(finding["id"], "add_co_responsible", org.inspector,
                               {"unit": unit.id, "part": "Clear the shared corridor"})
        assert response.status_code == 200, response.get_json()
        return dict(response.get_json())

    def part_done(finding, handler):
        response = driver.fire(finding["id"], "report_part", handler,
                               {"measures": "Corridor cleared on our side"}, current=finding)
        assert response.status_code == 200, response.get_json()
        return dict(response.get_json())

    open_part = add(driver.bring_to("standard", "assigned"), org.group_b)
    add(open_part, org.sub_a2)
    part_done(add(driver.bring_to("standard", "assigned"), org.group_b), org.handler_b)
    waiting = add(driver.bring_to("standard", "assigned"), org.group_b)
    driver.drive(waiting["id"], "report_rectification", "revisit", current=waiting)
    done = part_done(add(driver.bring_to("standard", "assigned"), org.group_b), org.handler_b)
    driver.drive(done["id"], "report_rectification", "revisit", current=done)
    add(driver.bring_to("escalation", "coordinating"), org.group_b)
    # handler_b sees these through sub_b1 (below group_b) yet is no party: never its part
    add(driver.bring_to("standard", "assigned"), org.sub_b1)
    part_done(add(add(driver.bring_to("standard", "assigned"), org.group_b), org.sub_b1),
              org.handler_b)


def test_each_guards_sql_form_is_its_python_check(driver, rectify, org):
    """Guards with a SQL form (what My work and the offer rely on) pass exactly where their
    Python check passes, for every user, on findings in every state and with parties."""
    for state in driver.lifecycle("standard").states:
        driver.bring_to("standard", state.name)
    _with_parties(driver, org)
    with rectify.unit_of_work(write=False) as uow:
        findings = list(uow.session.scalars(select(Finding).options(
            joinedload(Finding.unit), joinedload(Finding.raised_by_unit))))
        for username in sorted(org.users):
            user = uow.session.scalars(select(User).where(User.username == username)
                                       .options(joinedload(User.unit))).one()
            for name, guard in GUARDS.items():
                sql = guard.sql_for(uow.today(), user)
                if sql is None:
                    continue
                in_sql = set(uow.session.scalars(select(Finding.id).where(sql)))
                in_python = {f.id for f in findings if guard.check(Context(
                    uow.session, f, user, {}, uow.now(), uow.today()), {}) is None}
                assert in_sql == in_python, (username, name)
