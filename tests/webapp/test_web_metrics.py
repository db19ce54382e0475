"""/metrics: request latency by endpoint, transitions counted only when committed, the outbox's
depth from the database; only for loopback callers or the metrics token; one JSON log line per
request."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select
from web_support import build_app

from workflow.models import OutboxMessage
from workflow.runtime import Rectify


def scrape(client: Any, **kwargs: Any) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics", **kwargs)
    assert response.status_code == 200, response.status_code
    assert response.content_type.startswith("text/plain")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(response.get_data(as_text=True))
            for s in family.samples}


def value(samples: dict[Any, float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_requests_are_timed_by_endpoint_method_and_status(app, client, api, org):
    before = scrape(client)
    assert api.get("/api/v1/findings", org.inspector).status_code == 200
    assert client.get("/no/such/page").status_code in (302, 404)
    after = scrape(client)
    count = "rectify_http_request_duration_seconds_count"
    listed = {"endpoint": "api_findings.Findings", "method": "GET", "status": "200"}
    assert value(after, count, **listed) == value(before, count, **listed) + 1
    assert value(after, "rectify_http_request_duration_seconds_sum", **listed) > \
        value(before, "rectify_http_request_duration_seconds_sum", **listed)


def test_transitions_count_when_committed_and_not_when_refused(client, api, driver, org):
    finding = driver.raise_("standard")
    before = scrape(client)
    due = (driver.today() + timedelta(days=7)).isoformat()
    done = api.post(f"/api/v1/findings/{finding['id']}/transitions/assign", org.inspector,
                    headers={"If-Match": '"1"'},
                    json={"payload": {"requirement": "Clear it", "due_date": due}})
    assert done.status_code == 200
    stale = api.post(f"/api/v1/findings/{finding['id']}/transitions/assign", org.inspector,
                     headers={"If-Match": '"1"'},
                     json={"payload": {"requirement": "Again", "due_date": due}})
    assert stale.status_code == 409
    bad = api.post(f"/api/v1/findings/{finding['id']}/transitions/request_extension",
                   org.handler_a, headers={"If-Match": '"2"'},
                   json={"payload": {}})  # a payload error: nothing written
    assert bad.status_code in (400, 422)
    after = scrape(client)
    name = "rectify_transitions_total"
    assert value(after, name, lifecycle="standard", trigger="assign") == \
        value(before, name, lifecycle="standard", trigger="assign") + 1
    assert value(after, name, lifecycle="standard", trigger="request_extension") == \
        value(before, name, lifecycle="standard", trigger="request_extension")


def test_the_outbox_depth_is_read_from_the_database(client, rectify: Rectify, driver, org):
    driver.bring_to("standard", "assigned")  # notifications: some by mail, in the outbox
    with rectify.unit_of_work(write=False) as uow:
        pending = uow.session.scalar(select(func.count()).select_from(OutboxMessage)
                                     .where(OutboxMessage.status == "pending"))
    samples = scrape(client)
    assert value(samples, "rectify_outbox_messages", status="pending") == pending
    assert value(samples, "rectify_outbox_messages", status="dead") == 0


def test_only_loopback_or_the_token_may_read_it(rectify: Rectify, org):
    open_app = build_app(rectify)
    remote = {"environ_base": {"REMOTE_ADDR": "10.1.2.3"}}
    assert open_app.test_client().get("/metrics", **remote).status_code == 404
    assert open_app.test_client().get("/metrics").status_code == 200  # 127.0.0.1
    guarded = build_app(rectify, METRICS_TOKEN="s3cret-metrics")
    client = guarded.test_client()
    assert client.get("/metrics").status_code == 404  # loopback is not enough with a token
    for wrong in ("Bearer nope", "s3cret-metrics", "Bearer s3cret-metric"):
        assert client.get("/metrics", headers={"Authorization": wrong}, **remote).status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer s3cret-metrics"},
                      **remote).status_code == 200


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(record.getMessage()))


@pytest.fixture
def request_lines() -> Any:
    handler, logger = Lines(), logging.getLogger("rectify.request")
    logger.addHandler(handler)
    yield handler.lines
    logger.removeHandler(handler)


def test_each_request_writes_one_json_line(api, client, org, request_lines):
    assert api.get("/api/v1/findings?q=%E5%8F%B0%E8%B4%A6", org.inspector).status_code == 200
    assert client.get("/login").status_code == 200
    first, second = request_lines
    assert first["path"] == "/api/v1/findings" and "q=" not in json.dumps(first)  # no query
    assert (first["method"], first["status"], first["endpoint"]) == (
        "GET", 200, "api_findings.Findings")
    assert first["user"] == api.user(org.inspector).id and first["ms"] >= 0
    assert (second["user"], second["endpoint"], second["ip"]) == (None, "pages.login", "127.0.0.1")
