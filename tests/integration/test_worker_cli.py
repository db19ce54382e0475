"""`rectify worker`: one pass with --once, and the loop that delivers and stops cleanly on
SIGTERM (exit 0, after recording what it sent)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
from click.testing import CliRunner
from delivery_support import outbox_row, write_message

from workflow.cli import engine
from workflow.models import TallyClock


@pytest.fixture
def backend() -> str:
    return "sqlite"


@pytest.fixture
def worker_env(rectify, monkeypatch) -> dict[str, str]:
    env = {"RECTIFY_DATABASE_URL": rectify.settings.database_url,
           "RECTIFY_INSTANCE_PATH": str(rectify.settings.instance_path), "RECTIFY_MAIL": "files"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def test_once_delivers_what_is_due_and_exits(rectify, org, worker_env):
    mid = write_message(rectify, "handler_a", "email", "k:cli", email="a@example.org")
    result = CliRunner().invoke(engine, ["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "delivery: claimed 1, sent 1, to retry 0, dead 0" in result.output
    assert "tallies: rebuilt" in result.output  # the statistics' tallies kept too
    assert (rectify.settings.mail_path / "k_cli.eml").is_file()
    assert outbox_row(rectify, mid).status == "sent"


def test_the_loop_delivers_then_stops_cleanly_on_sigterm(rectify, org, worker_env):
    mid = write_message(rectify, "handler_a", "email", "k:loop", email="a@example.org")
    process = subprocess.Popen(
        [sys.executable, "-c", "from web.cli import main; main()", "worker", "--interval", "0.1"],
        env={**os.environ, **worker_env, "PYTHONUNBUFFERED": "1"}, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith("delivery: claimed 1, sent 1")
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    assert "worker started" in err and "worker stopped" in err
    assert outbox_row(rectify, mid).status == "sent"
    with rectify.unit_of_work(write=False) as uow:  # the statistics' keeper ran beside it
        assert uow.session.get_one(TallyClock, 1).day is not None
