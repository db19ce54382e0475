"""The API's contract: one Error schema (flask-smorest's), If-Match documented on the transition
endpoint, each transition's payload described from its declared fields so that a client can
build a request from the document alone, and the status each engine error maps to."""

from __future__ import annotations

from datetime import timedelta

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
    assert "standard@3 changed after finding" in body["message"]  # the newest, it started on
    assert api.get(f"/api/v1/findings/{finding['id']}/events", org.inspector).get_json()[-1][
        "trigger"] == "raise"


def _resolve(document, ref):
    return document["components"]["schemas"][ref.rsplit("/", 1)[-1]]


def test_the_document_has_one_error_schema_and_every_error_answer_uses_it(api, org):
    document = api.get("/api/v1/openapi.json", org.admin).get_json()
    assert [name for name in document["components"]["schemas"] if "rror" in name] == ["Error"]
    assert set(document["components"]["schemas"]["Error"]["properties"]) == {
        "code", "status", "message", "errors", "allowed"}
    refs = {response["content"]["application/json"]["schema"]["$ref"]
            for item in document["paths"].values() for method, operation in item.items()
            if method != "parameters" for status, response in operation["responses"].items()
            if status[0] in "45" and "content" in response}
    assert refs == {"#/components/schemas/Error"}
    default = document["components"]["responses"]["DEFAULT_ERROR"]
    assert default["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/Error"


def _example(prop, today):
    """A value for one property, read from its JSON schema alone."""
    if "enum" in prop:
        return prop["enum"][0]
    if prop.get("format") == "date":
        return (today + timedelta(days=prop.get("x-min-days") or 0)).isoformat()
    assert prop["type"] == "string", prop
    return "Fix the blocked exit"[:prop.get("maxLength", 100)].ljust(prop.get("minLength", 0), ".")


def test_a_client_builds_a_transition_request_from_the_document_alone(api, driver, rectify, org):
    document = api.get("/api/v1/openapi.json", org.inspector).get_json()
    operation = document["paths"]["/api/v1/findings/{finding_id}/transitions/{trigger}"]["post"]
    headers = [p for p in operation["parameters"] if p["in"] == "header"]
    assert [(p["name"], p["required"]) for p in headers] == [("If-Match", False)]
    body = _resolve(document, operation["requestBody"]["content"]["application/json"]["schema"]
                    ["$ref"])
    choices = [ref["$ref"] for ref in body["properties"]["payload"]["anyOf"]]
    assert "#/components/schemas/standard.v1.assign" in choices
    assert len(choices) == sum(len(lc.transitions) for lc in rectify.registry.all())
    schema = _resolve(document, "#/components/schemas/standard.v1.assign")
    with rectify.unit_of_work(write=False) as uow:
        today = uow.today()
    payload = {name: _example(schema["properties"][name], today) for name in schema["required"]}
    finding = driver.raise_("standard")
    response = api.post(f"/api/v1/findings/{finding['id']}/transitions/assign", org.inspector,
                        json={"payload": payload}, headers={"If-Match": str(finding["version"])})
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["state"], response.get_json()["due_date"]) == (
        "assigned", payload["due_date"])
