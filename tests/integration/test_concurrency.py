"""Two OS processes fire conflicting transitions on the same finding at the same moment.

Each process builds its own Rectify on the test's database (SQLite file or PostgreSQL schema),
waits at a shared barrier, then fires with the same expected version. Every round exactly one
succeeds and the other gets StaleFinding — never another error — and exactly one event is added.
"""

from __future__ import annotations

import multiprocessing
import traceback
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from workflow.config import REPO_ROOT, Settings
from workflow.errors import RectifyError
from workflow.models import User
from workflow.runtime import Rectify
from workflow.services import fire, raise_finding, verify_all

ROUNDS = 20
TIMEOUT = 60


def racer(url: str, instance: str, tasks: Any, results: Any, barrier: Any) -> None:
    """A separate process: its own engine; fires each task as soon as both racers are ready."""
    app = Rectify(Settings(database_url=url, instance_path=Path(instance),
                           definitions_path=REPO_ROOT / "definitions"))
    try:
        with app.unit_of_work(write=False) as uow:
            users = {u.username: u for u in uow.session.scalars(
                select(User).options(joinedload(User.unit)))}
            uow.session.expunge_all()
        while (task := tasks.get(timeout=TIMEOUT)) is not None:
            barrier.wait(timeout=TIMEOUT)
            try:
                with app.unit_of_work() as uow:
                    if task[0] == "raise":
                        _, username, data = task
                        finding = raise_finding(uow, users[username], "standard", data)
                        results.put(("ok", "raise", finding.code))
                        continue
                    _, finding_id, trigger, username, payload, expected_version = task
                    finding = fire(uow, finding_id, trigger, users[username], payload,
                                   expected_version)
                    results.put(("ok", trigger, finding.version))
            except RectifyError as err:
                results.put((type(err).__name__, task[0], str(err)))
    except BaseException:  # report anything at all to the test rather than hang it
        results.put(("crash", "", traceback.format_exc()))
    finally:
        app.database.dispose()


def confirm_or_reject(flow) -> tuple[int, list[tuple[str, str, dict[str, Any]]]]:
    """A finding just revisited: the reviewer confirms while the supervisor sends it back."""
    fid = flow.drive(flow.raise_().id, "assign", "report_rectification", "revisit").id
    return fid, [("confirm", "reviewer", {"conclusion": "In place"}),
                 ("reject", "supervisor", {"reason": "Not in place at all"})]


def two_assigns(flow) -> tuple[int, list[tuple[str, str, dict[str, Any]]]]:
    """A finding just raised: the inspector and the supervisor both assign it."""
    fid = flow.raise_(unit=flow.org.sub_b1.id).id
    due = (date.today() + timedelta(days=30)).isoformat()  # the racers run on the real clock
    return fid, [("assign", "inspector", {"requirement": "Inspector's plan", "due_date": due}),
                 ("assign", "supervisor", {"requirement": "Supervisor's plan", "due_date": due})]


@pytest.fixture
def racers(database_url, tmp_path):
    """Two racer processes (spawned, so nothing is shared but the database) and their queues."""
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    queues = [ctx.Queue(), ctx.Queue()]
    processes = [ctx.Process(target=racer, daemon=True,
                             args=(database_url, str(tmp_path / "racer"), q, results, barrier))
                 for q in queues]
    for process in processes:
        process.start()
    try:
        yield queues, results
    finally:
        for queue in queues:
            queue.put(None)
        for process in processes:
            process.join(TIMEOUT)
            if process.is_alive():
                process.terminate()
                process.join()
        for queue in [*queues, results]:
            queue.close()
            queue.join_thread()
        assert all(p.exitcode == 0 for p in processes), [p.exitcode for p in processes]


def test_conflicting_fires_yield_one_success_and_one_stale(rectify, flow, racers):
    queues, results = racers
    winners: dict[str, int] = {}
    for round_ in range(ROUNDS):
        fid, moves = (confirm_or_reject if round_ % 2 else two_assigns)(flow)
        before = flow.snapshot(fid)
        version = before["row"]["version"]
        for queue, (trigger, username, payload) in zip(queues, moves, strict=True):
            queue.put(("fire", fid, trigger, username, payload, version))
        outcomes = sorted((results.get(timeout=TIMEOUT) for _ in queues), key=lambda r: r[0])
        kinds = [kind for kind, _, _ in outcomes]
        assert kinds == ["StaleFinding", "ok"], f"round {round_}: {outcomes}"
        _, (_, won, new_version) = outcomes
        assert new_version == version + 1
        after = flow.snapshot(fid)
        assert after["events"] == before["events"] + 1
        assert after["all_events"] == before["all_events"] + 1
        assert after["row"]["version"] == version + 1
        last = flow.events(fid)[-1]
        assert last.trigger == won and last.seq == before["events"] + 1
        winner = next(username for trigger, username, payload in moves
                      if trigger == won and (won != "assign" or payload["requirement"]
                                             == after["row"]["requirement"]))
        winners[winner] = winners.get(winner, 0) + 1
    with rectify.unit_of_work(write=False) as uow:
        assert list(verify_all(uow.session)) == []
    assert sum(winners.values()) == ROUNDS


def test_simultaneous_raises_get_distinct_consecutive_codes(rectify, org, racers):
    """The first pair races to create the year's code counter, the others to bump it."""
    queues, results = racers
    codes: list[str] = []
    for round_ in range(5):
        for queue, unit in zip(queues, (org.sub_a1, org.sub_b1), strict=True):
            queue.put(("raise", "inspector", {"title": f"Raised at once {round_}",
                                              "category": "work_safety", "severity": "low",
                                              "unit": unit.id}))
        outcomes = [results.get(timeout=TIMEOUT) for _ in queues]
        assert [kind for kind, _, _ in outcomes] == ["ok", "ok"], outcomes
        codes.extend(code for _, _, code in outcomes)
    year = codes[0][:4]
    assert sorted(codes) == [f"{year}-{n:04d}" for n in range(1, 11)]
    with rectify.unit_of_work(write=False) as uow:
        assert list(verify_all(uow.session)) == []
