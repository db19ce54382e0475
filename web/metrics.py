"""/metrics in Prometheus text format (request latency by endpoint, transitions, outbox depth;
multiprocess under gunicorn) and one structured log line per request."""

from __future__ import annotations

import hmac
import json
import logging
import os
import sys
import time
from collections.abc import Iterator
from typing import Any

from flask import Flask, Response, abort, current_app, g, request
from flask_login import current_user
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from web.uow import rectify
from workflow.services.outbox import BACKLOG, counts

REQUEST_SECONDS = Histogram("rectify_http_request_duration_seconds",
                            "Time to answer a request, by endpoint, method and status",
                            ["endpoint", "method", "status"])
LOOPBACK = frozenset({"127.0.0.1", "::1"})
request_log = logging.getLogger("rectify.request")


class OutboxDepth(Collector):
    """Messages waiting for delivery and dead letters, read from the database at each scrape
    (so every worker and host reports the same number)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        gauge = GaugeMetricFamily("rectify_outbox_messages", "Outbox messages by status "
                                  "(pending: waiting for delivery; dead: gave up)",
                                  labels=["status"])
        with rectify().unit_of_work(write=False) as uow:
            for status, number in counts(uow.session, BACKLOG).items():
                gauge.add_metric([status], number)
        yield gauge


def scrape_registry() -> CollectorRegistry:
    """Under gunicorn (PROMETHEUS_MULTIPROC_DIR set) every worker's files, else this process."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(_ThisProcess())
    registry.register(OutboxDepth())
    return registry


class _ThisProcess(Collector):
    def collect(self) -> Iterator[Any]:
        yield from REGISTRY.collect()


def metrics_allowed() -> bool:
    """With RECTIFY_METRICS_TOKEN, a matching bearer token; without, loopback callers only."""
    token = str(current_app.config.get("METRICS_TOKEN") or "")
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        return scheme == "Bearer" and hmac.compare_digest(given.strip().encode(), token.encode())
    return request.remote_addr in LOOPBACK


def metrics() -> Response:
    if not metrics_allowed():
        abort(404)  # not advertised to anyone else
    return Response(generate_latest(scrape_registry()), content_type=CONTENT_TYPE_LATEST)


def _started() -> None:
    g.request_started = time.perf_counter()


def _finished(response: Response) -> Response:
    started = g.pop("request_started", None)
    if started is None:
        return response
    seconds = time.perf_counter() - started
    endpoint = request.url_rule.endpoint if request.url_rule else "unmatched"
    REQUEST_SECONDS.labels(endpoint, request.method, str(response.status_code)).observe(seconds)
    if current_app.config.get("REQUEST_LOG", True):
        request_log.info(json.dumps({
            "method": request.method, "path": request.path, "endpoint": endpoint,
            "status": response.status_code, "ms": round(seconds * 1000, 1),
            "user": _user_id(), "ip": request.remote_addr}, ensure_ascii=False))
    return response


def _user_id() -> int | None:
    user = getattr(current_user, "user", None)  # never loads a user just to log it
    return getattr(user, "id", None)


def init_app(app: Flask) -> None:
    """First hook in, so the time covers every other hook; /metrics needs no login."""
    app.before_request(_started)
    app.after_request(_finished)
    app.add_url_rule("/metrics", "metrics", metrics)
    if not request_log.handlers:  # one JSON object per line on stderr (gunicorn collects it)
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        request_log.addHandler(handler)
        request_log.setLevel(logging.INFO)
        request_log.propagate = False
