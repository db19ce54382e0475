"""The API's contract: one Error schema (flask-smorest's), If-Match documented on the transition
endpoint, each transition's payload described from its declared fields so that a client can
build a request from the document alone, and the status each engine error maps to."""

from __future__ import annotations

from sqlalchemy import update

from tests.webapp.web_support import assert_error
from workflow.models import Finding


def test_a_definition_changed_under_a_finding_answers_409_not_422(api, driver, rectify, org):
    """DefinitionError is a conflict with the server's state (the file changed after the app
    started), never a fault in what the client sent: 409, and nothing changes."""
    finding = driver.raise_("standard")
    with rectify.unit_of_work() as uow:
        uow.session.execute(update(Finding).where(Finding.id == finding["id"])
                            .values(definition_hash="0" * 64))
        uow.commit()
    body = assert_error(driver.fire(finding["id"], "assign", org.inspector, current=finding), 409)
    assert "standard@1 changed after finding" in body["message"]
    assert api.get(f"/api/v1/findings/{finding['id']}/events", org.inspector).get_json()[-1][
        "trigger"] == "raise"
