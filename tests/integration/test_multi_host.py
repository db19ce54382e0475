"""Two app hosts (gunicorn, no shared folder), two `rectify tick` and two
`rectify worker` processes on one PostgreSQL and one S3-compatible bucket: traffic through both
hosts, racing on the same findings, loses nothing and doubles nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from db_support import make_settings
from delivery_support import add_endpoint, free_port, webhook_server
from moto.server import ThreadedMotoServer
from sqlalchemy import func, select, update

from workflow.models import Event, Finding, OutboxMessage
from workflow.runtime import Rectify
from workflow.services.tokens import issue_token
from workflow.services.webhooks import new_secret

pytestmark = pytest.mark.postgres
FINDINGS = 8
SECRET = new_secret()
BUCKET = "multi-host-evidence"


class Host:
    """One gunicorn instance of the app, with its own instance folder."""

    def __init__(self, name: str, env: dict[str, str], folder: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = folder / f"{name}.log"
        instance = folder / name
        instance.mkdir()
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "python:web.gunicorn_conf",
                 "--workers", "1", "--bind", f"127.0.0.1:{self.port}", "web:create_app()"],
                env={**env, "RECTIFY_INSTANCE_PATH": str(instance)}, stdout=out, stderr=out)

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 180
        while True:
            try:
                if requests.get(f"{self.base}/healthz", timeout=60).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            assert self.process.poll() is None, self.log.read_text()
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.3)

    def call(self, method: str, path: str, token: str, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
        return requests.request(method, self.base + path, headers=headers, timeout=60, **kwargs)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=90)


@pytest.fixture
def bucket_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    env = {"AWS_ACCESS_KEY_ID": "rectify", "AWS_SECRET_ACCESS_KEY": "secret",
           "AWS_DEFAULT_REGION": "us-east-1", "RECTIFY_S3_ENDPOINT_URL": f"http://{host}:{port}",
           "RECTIFY_ATTACHMENTS_URL": f"s3://{BUCKET}/site"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    boto3.client("s3", endpoint_url=env["RECTIFY_S3_ENDPOINT_URL"]).create_bucket(Bucket=BUCKET)
    yield env
    server.stop()


RECTIFY = str(Path(sys.executable).parent / "rectify")  # the console script beside python


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([RECTIFY, *args], env=env, capture_output=True, text=True, timeout=300)


def test_two_hosts_lose_nothing_and_double_nothing(
        postgres_schema: Any, tmp_path: Path, make_org: Any, png: Any,
        bucket_env: dict[str, str]) -> None:
    postgres_schema.reset()
    setup = Rectify(make_settings(postgres_schema.url, tmp_path / "setup"))
    try:
        _two_hosts(setup, make_org(setup), postgres_schema.url, tmp_path, bucket_env, png)
    finally:
        setup.database.dispose()


def _two_hosts(setup: Rectify, org: Any, url: str, tmp_path: Path,
               bucket_env: dict[str, str], png: Any) -> None:
    with setup.unit_of_work() as uow:
        tokens = {name: issue_token(uow, org.users[name], "multi-host")
                  for name in ("inspector", "handler_a", "reviewer")}
    with webhook_server() as receiver:
        receiver.secret = SECRET
        add_endpoint(setup, receiver.url(), SECRET)
        env = {**os.environ, **bucket_env, "RECTIFY_DATABASE_URL": url,
               "RECTIFY_SECRET_KEY": "one-key-for-every-host", "RECTIFY_MAIL": "off",
               "RECTIFY_REQUEST_LOG": "0", "RECTIFY_INSTANCE_PATH": str(tmp_path / "cli")}
        hosts = [Host(name, env, tmp_path) for name in ("host-a", "host-b")]
        try:
            for host in hosts:
                host.wait_ready()
            _traffic(setup, hosts, tokens, env, org, png)
            with setup.unit_of_work() as uow:  # the ladder's messages, queued ten days ahead
                uow.session.execute(update(OutboxMessage).values(next_attempt_at=uow.now()))
                uow.commit()
            workers = [subprocess.Popen(
                [RECTIFY, "worker", "--interval", "0.2"], env=env,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(2)]
            try:
                _every_message_delivered_once(setup, receiver)
            finally:
                for worker in workers:
                    worker.terminate()
                    worker.wait(timeout=30)
        finally:
            for host in hosts:
                host.stop()
    verified = run_cli(env, "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr


def _traffic(setup: Rectify, hosts: list[Host], tokens: dict[str, str], env: dict[str, str],
             org: Any, png: Any) -> None:
    """Raise through both hosts, tick from two processes at once, then race the report."""
    with setup.unit_of_work(write=False) as uow:
        due, later = (uow.today() + timedelta(days=2)).isoformat(), uow.now() + timedelta(days=10)

    def raise_one(n: int) -> int:
        answer = hosts[n % 2].call("POST", "/api/v1/findings", tokens["inspector"], json={
            "title": f"多主机测试问题 {n}", "category": "work_safety", "severity": "high",
            "unit": org.group_a.id, "requirement": "限期整改并报送佐证材料", "due_date": due})
        assert answer.status_code == 201, answer.text
        return int(answer.json()["id"])

    with ThreadPoolExecutor(4) as pool:
        ids = list(pool.map(raise_one, range(FINDINGS)))
    assert len(set(ids)) == FINDINGS
    moment = later.isoformat(timespec="seconds")
    with ThreadPoolExecutor(2) as pool:  # two schedulers, as on two hosts, at the same moment
        ticks = list(pool.map(lambda _: run_cli(env, "tick", "--now", moment), range(2)))
    assert [t.returncode for t in ticks] == [0, 0], [t.stderr for t in ticks]
    with setup.unit_of_work(write=False) as uow:
        steps = Counter((e.finding_id, e.payload["step"]) for e in uow.session.scalars(
            select(Event).where(Event.trigger == "ladder")))
    assert {finding for finding, _ in steps} == set(ids)  # every finding climbed ...
    assert set(steps.values()) == {1}  # ... and no step was fired twice
    for n, finding_id in enumerate(ids):
        _race_the_report(hosts if n % 2 else hosts[::-1], tokens, finding_id, png(n))


def _race_the_report(hosts: list[Host], tokens: dict[str, str], finding_id: int,
                     photo: bytes) -> None:
    """Evidence uploaded on one host, read back on the other; both report at the same version:
    one succeeds, the other gets 409, and the finding has one report event."""
    uploaded = hosts[0].call("POST", "/api/v1/attachments", tokens["handler_a"],
                             files={"file": (f"photo-{finding_id}.png", photo, "image/png")})
    assert uploaded.status_code == 201, uploaded.text
    sha = uploaded.json()["sha256"]
    read_back = hosts[1].call("GET", f"/api/v1/attachments/{sha}", tokens["handler_a"])
    assert read_back.status_code == 200 and read_back.content == photo
    version = hosts[1].call("GET", f"/api/v1/findings/{finding_id}",
                            tokens["handler_a"]).json()["version"]
    body = {"version": version, "payload": {"measures": f"已整改完毕，问题 {finding_id}", "evidence": [sha]}}
    path = f"/api/v1/findings/{finding_id}/transitions/report_rectification"
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda h: h.call("POST", path, tokens["handler_a"], json=body),
                                hosts))
    assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]


def _every_message_delivered_once(setup: Rectify, receiver: Any) -> None:
    """Both workers drain the outbox; each webhook arrives exactly once, signed."""
    deadline = time.monotonic() + 120
    while True:
        with setup.unit_of_work(write=False) as uow:
            statuses = dict(uow.session.execute(select(OutboxMessage.status, func.count())
                                                .group_by(OutboxMessage.status)).all())
            reports = uow.session.scalar(select(func.count()).select_from(Event)
                                         .where(Event.trigger == "report_rectification"))
            findings = uow.session.scalar(select(func.count()).select_from(Finding))
        if set(statuses) == {"sent"}:
            break
        assert time.monotonic() < deadline, statuses
        time.sleep(0.3)
    assert (findings, reports) == (FINDINGS, FINDINGS)
    ids = receiver.ids()
    assert len(ids) == statuses["sent"] > FINDINGS
    assert Counter(ids).most_common(1)[0][1] == 1  # no message twice
    assert all(isinstance(r.verified, dict) for r in receiver.requests)
