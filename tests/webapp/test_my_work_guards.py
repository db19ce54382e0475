"""Actions whose guards read only the finding and the day are offered — on the finding page, in
the API and in My work — exactly where they would pass: 签收 until it is given, the look-back
only once it is due (and never before), on both sides of SQL and Python."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from workflow.models import Finding, User
from workflow.services import available_transitions
from workflow.services.work import my_work


def offered_and_listed(rectify, user, finding_id):
    with rectify.unit_of_work(write=False) as uow:
        actor = uow.session.scalars(select(User).where(User.id == user.id)
                                    .options(joinedload(User.unit))).one()
        finding = uow.session.get(Finding, finding_id)
        offered = {t.trigger for t in available_transitions(uow, finding, actor)}
        listed = finding_id in {f.id for f in my_work(uow, actor, limit=10_000).items}
    return offered, listed


def test_acknowledge_is_offered_until_it_is_given(driver, rectify, org):
    finding = driver.bring_to("standard", "assigned")
    offered, listed = offered_and_listed(rectify, org.handler_a, finding["id"])
    assert "acknowledge" in offered and listed
    assert driver.fire(finding["id"], "acknowledge").status_code == 200
    offered, listed = offered_and_listed(rectify, org.handler_a, finding["id"])
    assert "acknowledge" not in offered
    assert "report_rectification" in offered and listed  # still owes the report


def test_the_look_back_awaits_the_reviewer_only_once_it_is_due(driver, rectify, org, clock):
    finding = driver.bring_to("standard", "closed", due_lookback=False)
    with rectify.unit_of_work(write=False) as uow:
        lookback = uow.session.get(Finding, finding["id"]).lookback_due_date
    assert lookback is not None and lookback > driver.today()
    offered, listed = offered_and_listed(rectify, org.reviewer, finding["id"])
    assert "look_back" not in offered and not listed
    refused = driver.fire(finding["id"], "look_back", org.reviewer, payload={
        "visited_on": driver.today().isoformat(), "outcome": "held", "observations": "Fine."})
    assert refused.status_code == 422 and lookback.isoformat() in refused.get_data(as_text=True)
    clock.advance(days=(lookback - driver.today()).days)
    offered, listed = offered_and_listed(rectify, org.reviewer, finding["id"])
    assert "look_back" in offered and listed
    assert offered_and_listed(rectify, org.handler_a, finding["id"]) == (set(), False)
    assert driver.fire(finding["id"], "look_back").status_code == 200
    offered, listed = offered_and_listed(rectify, org.reviewer, finding["id"])
    assert "look_back" not in offered and not listed
    clock.advance(days=400)
    assert offered_and_listed(rectify, org.reviewer, finding["id"]) == (set(), False)
