"""A pooled PostgreSQL connection the server closed between two units of work (a restart,
pg_terminate_backend, an idle timeout) is dropped at checkout without a ping per request: the
next request works, and it runs on a new server process."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import BACKENDS
from workflow.services import fire

POSTGRES = [b for b in BACKENDS if not isinstance(b, str)]


def backend_pid(rectify) -> int:
    with rectify.unit_of_work(write=False) as uow:
        return int(uow.session.scalar(text("SELECT pg_backend_pid()")))


def terminate(url: str, pid: int) -> None:
    """Kill the server process behind a pooled connection and wait until it is gone."""
    admin = create_engine(url, isolation_level="AUTOCOMMIT")  # a fresh pg_stat_activity each time
    try:
        with admin.connect() as conn:
            assert conn.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            for _ in range(200):
                if not conn.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"),
                                   {"pid": pid}):
                    return
                time.sleep(0.01)
        raise AssertionError(f"server process {pid} still runs")
    finally:
        admin.dispose()


@pytest.mark.parametrize("backend", POSTGRES, indirect=True)
def test_the_next_unit_of_work_after_the_server_killed_the_connection_works(
        rectify, database_url, org, flow):
    assert not rectify.database.engine.pool._pre_ping  # the check costs no round trip
    finding = flow.raise_()
    before = backend_pid(rectify)
    assert backend_pid(rectify) == before  # the pool hands the same connection back
    terminate(database_url, before)
    with rectify.unit_of_work() as uow:  # a write, as a request would send it
        fire(uow, finding.id, "assign", org.inspector, flow.payload_for(finding, "assign",
                                                                         org.inspector))
    assert flow.finding(finding.id).state == "assigned"
    assert backend_pid(rectify) != before


@pytest.mark.parametrize("backend", POSTGRES, indirect=True)
def test_the_apps_postgresql_connections_run_without_jit(rectify, database_url):
    """JIT compiled My work's long WHERE clause for seconds: the app's connections turn it off,
    a new one (after the server killed the pooled one) as well."""
    with rectify.unit_of_work(write=False) as uow:
        assert uow.session.scalar(text("SHOW jit")) == "off"
    terminate(database_url, backend_pid(rectify))
    with rectify.unit_of_work(write=False) as uow:
        assert uow.session.scalar(text("SHOW jit")) == "off"
