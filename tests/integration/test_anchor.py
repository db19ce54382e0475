"""The paper anchor: a report's fingerprint at its cut-off catches a history rewritten since,
even one whose every hash was recomputed so that plain `verify` passes."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy import select, update

from workflow.chain import GENESIS, canonical, event_hash
from workflow.cli import engine
from workflow.errors import InvalidInput
from workflow.models import Event, Finding
from workflow.runtime import Rectify
from workflow.services import verify_all
from workflow.services.anchor import (
    _heads_from_rows,
    _heads_grouped,
    _heads_lateral,
    chain_heads,
    parse_anchor,
)
from workflow.services.daily import daily_report

Flow = Any  # the `flow` fixture from tests/conftest.py
DAY1 = date(2026, 3, 2)


@pytest.fixture
def run(database_url: str, rectify: Rectify) -> Any:
    def invoke(*args: str) -> Any:  # the same evidence store: plain verify checks the files
        env = {"RECTIFY_DATABASE_URL": database_url,
               "RECTIFY_INSTANCE_PATH": str(rectify.settings.instance_path)}
        return CliRunner().invoke(engine, list(args), env=env)
    return invoke


def anchor_text(rectify: Rectify, flow: Flow, day: date) -> str:
    with rectify.unit_of_work(write=False) as uow:
        made = daily_report(uow.session, flow.org.supervisor, uow.registry, day, uow.zone,
                            uow.now())
        assert made.anchor is not None
        return made.anchor.text


def rewrite_history(rectify: Rectify, lift_append_only: Any, finding_id: int) -> None:
    """What a forger with the whole database does: edit the first event, then recompute the
    finding's whole chain and its head so that every hash agrees again."""
    with rectify.unit_of_work(write=False) as uow:
        code = uow.session.get(Finding, finding_id).code  # type: ignore[union-attr]
        events = list(uow.session.scalars(select(Event).where(Event.finding_id == finding_id)
                                          .order_by(Event.seq)))
        rows, prev = [], GENESIS
        for ev in events:
            payload = {**ev.payload, "title": "Nothing wrong here"} if ev.seq == 1 else ev.payload
            body = canonical(code, ev.seq, ev.trigger, ev.from_state, ev.to_state, ev.actor_id,
                             payload, ev.created_at, ev.finding_digest)
            prev_hash, prev = prev, event_hash(prev, body)
            rows.append((ev.id, payload, prev_hash, prev))
    with lift_append_only(rectify.database) as engine_, engine_.begin() as conn:
        for event_id, payload, prev_hash, new_hash in rows:
            conn.execute(update(Event.__table__).where(Event.__table__.c.id == event_id)
                         .values(payload=payload, prev_hash=prev_hash, hash=new_hash))
        conn.execute(update(Finding.__table__).where(Finding.__table__.c.id == finding_id)
                     .values(last_hash=prev))


def test_the_anchor_holds_until_history_is_rewritten(rectify: Rectify, flow: Flow, run: Any,
                                                     lift_append_only: Any) -> None:
    first = flow.drive(flow.raise_().id, "assign")
    flow.raise_(title="Second exit blocked")
    rectify.clock.advance(days=1)
    anchor = anchor_text(rectify, flow, DAY1)
    short, _at, when = anchor.partition("@")
    assert len(short) == 24 and when.endswith(".999999Z")  # 20 hex digits in fives, end of day
    flow.fire(first.id, "report_rectification")  # after the cut-off: the anchor does not move
    assert anchor_text(rectify, flow, DAY1) == anchor
    held = run("verify", "--anchor", anchor)
    assert held.exit_code == 0 and "ok: the record up to" in held.output, held.output

    rewrite_history(rectify, lift_append_only, first.id)
    with rectify.unit_of_work(write=False) as uow:
        assert list(verify_all(uow.session)) == []  # the chains agree again: plain verify passes
    assert run("verify").exit_code == 0
    caught = run("verify", "--anchor", anchor)
    assert caught.exit_code == 1 and "was rewritten" in caught.output, caught.output


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_bad_anchors_get_a_clear_error(flow: Flow, run: Any) -> None:
    cases = {"3f2a91bc0e4d77a1": "FINGERPRINT@TIME",
             "3f2a-91bc@2026-03-02T15:59:59Z": "16 to 64 hex digits",
             "3f2a91bc0e4d77a1zz@2026-03-02T15:59:59Z": "16 to 64 hex digits",
             "3f2a91bc0e4d77a1@yesterday": "not an ISO 8601",
             "3f2a91bc0e4d77a1@2026-03-02T15:59:59": "needs its zone",
             "3f2a91bc0e4d77a1@2026-03-02T15:59\x00Z": "not an ISO 8601",
             "3f2a91bc0e4d77a1@9999-12-31T23:59:59-12:00": "not an ISO 8601"}
    for text, message in cases.items():
        with pytest.raises(InvalidInput) as info:
            parse_anchor(text)
        assert message in info.value.errors["anchor"]["en"]
    answer = run("verify", "--anchor", "3f2a-91bc@2026-03-02T15:59:59Z")
    assert answer.exit_code == 2 and "16 to 64 hex digits" in answer.output
    beyond = run("verify", "--anchor", "3f2a91bc0e4d77a1@0001-01-01T00:00+14:00")  # was a crash
    assert beyond.exit_code == 2 and "not an ISO 8601" in beyond.output
    digits, at = parse_anchor(" 3F2A-91BC-0E4D-77A1-5C20@2026-03-02T23:59:59.999999+08:00 ")
    assert digits == "3f2a91bc0e4d77a15c20" and at.utcoffset() == timedelta(hours=8)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_command_writes_text_and_a_workbook(flow: Flow, run: Any, tmp_path: Path) -> None:
    flow.drive(flow.raise_(unit=flow.org.sub_a1.id).id, "assign")
    text = run("report", "daily", "--date", DAY1.isoformat(), "--unit", "IB", "--lang", "en")
    assert text.exit_code == 0, text.output
    assert "\nGroup A\t1\t0\t0\t0\t0\t1\t0\t1\t0\n" in text.output
    assert "rectify verify --anchor " in text.output
    target = tmp_path / "daily.xlsx"
    written = run("report", "daily", "--date", DAY1.isoformat(), "--format", "xlsx",
                  "--output", str(target))
    assert written.exit_code == 0, written.output
    sheet = load_workbook(target).active
    assert sheet is not None
    cells = {row[0].value: row[1].value for row in sheet.iter_rows(max_row=3)}
    assert cells["日期"] == datetime(2026, 3, 2)  # a date cell, not text
    assert run("report", "daily", "--date", "2026-02-30").exit_code == 2
    assert run("report", "daily", "--date", DAY1.isoformat(), "--unit", "NOPE").exit_code == 1


def test_the_heads_are_each_findings_last_event_by_the_cutoff(rectify: Rectify,
                                                              flow: Flow) -> None:
    """chain_heads against every event read here, at each event's moment, in batches of two
    findings; on PostgreSQL its LATERAL walk and the grouped one agree row for row; and the
    daily report's, the quiet findings' heads read from their rows, too."""
    for steps in ((), ("assign",), ("assign", "report_rectification"), ("assign",)):
        flow.drive(flow.raise_().id, *steps)
    with rectify.unit_of_work(write=False) as uow:
        events = uow.session.execute(select(Event.finding_id, Event.seq, Event.hash,
                                            Event.created_at, Finding.code)
                                     .join(Finding, Finding.id == Event.finding_id)).all()
        cutoffs = sorted({e.created_at for e in events})
        for cutoff in [cutoffs[0] - timedelta(microseconds=1), *cutoffs]:
            last: dict[int, Any] = {}
            for e in events:
                if e.created_at <= cutoff and e.seq > last.get(e.finding_id, (0,))[0]:
                    last[e.finding_id] = (e.seq, e.hash, e.code)
            expected = [(code, seq, digest, fid) for fid, (seq, digest, code) in sorted(last.items())]
            assert list(chain_heads(uow.session, cutoff, batch=2)) == expected
            assert list(_heads_grouped(uow.session, cutoff, 2)) == expected
            assert list(_heads_from_rows(uow.session, cutoff, 2)) == expected
            if uow.session.get_bind().dialect.name == "postgresql":
                assert list(_heads_lateral(uow.session, cutoff, 2)) == expected
