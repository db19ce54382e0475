"""may_fire (a table's yes or no, per row) says what check_fire says, for every trigger of the
definition, each user, findings in several states (one whose definition file changed under it):
one rule, the refusal's reasons left out."""

from __future__ import annotations

from sqlalchemy import select, update

from tests.integration.test_raising_body import load_user
from workflow.errors import RectifyError
from workflow.models import Finding
from workflow.services import check_fire, may_fire


def test_may_fire_answers_as_check_fire_does(rectify, org, flow):
    flow.raise_()
    flow.drive(flow.raise_().id, "assign")
    flow.drive(flow.raise_().id, "assign", "acknowledge", "report_rectification", "revisit")
    changed = flow.drive(flow.raise_().id, "assign").id
    with rectify.unit_of_work() as uow:
        uow.session.execute(update(Finding).where(Finding.id == changed).values(
            definition_hash="changed"))
        uow.commit()
    answers = {True: 0, False: 0}
    with rectify.unit_of_work(write=False) as uow:
        for username in sorted(org.users):
            user = load_user(uow, org.users[username].id)
            for finding in uow.session.scalars(select(Finding)):
                lifecycle = uow.registry.get(finding.lifecycle, finding.lifecycle_version)
                for trigger in {t.trigger for t in lifecycle.transitions}:
                    try:
                        check_fire(uow, finding, trigger, user)
                        allowed = True
                    except RectifyError:
                        allowed = False
                    assert may_fire(uow, finding, trigger, user) is allowed, (username, trigger)
                    answers[allowed] += 1
    assert answers[True] >= 3 and answers[False] > answers[True]
