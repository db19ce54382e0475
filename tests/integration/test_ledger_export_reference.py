"""The export's rows, read by Core SELECTs with cached labels, are exactly what the ORM-based export
wrote before (the reference below is that implementation, kept to compare with), on a varied world,
in both languages and several sorts, and as CSV byte for byte."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from workflow.catalog import CATEGORIES, METHODS, SEVERITIES, label
from workflow.ledger_files import csv_chunks
from workflow.models import Event, Finding, User
from workflow.services import LedgerFilter
from workflow.services.comments import add_comment
from workflow.services.directory import create_campaign, create_inspection
from workflow.services.due_history import due_history
from workflow.services.export_facts import DUE_KINDS, ENGINE_STEPS, local_minute
from workflow.services.ledger import is_unacknowledged
from workflow.services.ledger_export import LIGHTS, LedgerExport, Value
from workflow.services.ledger_facts import NOT_ACTIONS, read_payload
from workflow.services.ledger_sorts import sort_order
from workflow.services.light import light


def _pick(pair: Any, lang: str) -> str:
    return str(pair[0] if lang == "zh" else pair[1])


def _reference_facts(uow: Any, f: Finding, lang: str, until: datetime | None = None
                     ) -> tuple[str, str, str]:
    """(measures, due-date history, last action) from the finding's ORM events (up to `until`)."""
    lifecycle = uow.registry.get(f.lifecycle, f.lifecycle_version)
    events = [e for e in uow.session.scalars(select(Event).where(Event.finding_id == f.id)
                                             .order_by(Event.seq))
              if until is None or e.created_at <= until]
    measures = next((str(e.payload["measures"]) for e in reversed(events)
                     if isinstance(e.payload.get("measures"), str) and e.payload["measures"]), "")
    parts: list[str] = []
    for change in due_history(lifecycle, events):
        day = change.new.isoformat() if change.new else "—"
        kind = _pick(DUE_KINDS.get(change.kind, (change.kind, change.kind)), lang)
        parts.append(day if not parts else f"{day}（{kind}）" if lang == "zh" else f"{day} ({kind})")
    last = next((e for e in reversed(events) if e.trigger not in NOT_ACTIONS), None)
    action = ""
    if last is not None:
        spec = next((t for t in lifecycle.transitions if t.trigger == last.trigger), None)
        step = spec.label(lang) if spec else _pick(ENGINE_STEPS.get(last.trigger, (last.trigger,) * 2),
                                                   lang)
        who = uow.session.get_one(User, last.actor_id).display_name
        action = " · ".join(p for p in (step, who, local_minute(last.created_at, uow.zone)) if p)
    return measures, " → ".join(parts), action


def _reference_rows(uow: Any, actor: User, flt: LedgerFilter, lang: str) -> list[list[Value]]:
    """The export's rows as the ORM-based implementation made them."""
    export = LedgerExport(uow, actor, flt, lang)  # its filter and day only
    query = export._query().order_by(*sort_order(flt.sort)).options(
        joinedload(Finding.unit), joinedload(Finding.raised_by), joinedload(Finding.campaign),
        joinedload(Finding.inspection))
    rows = []
    for f in uow.session.scalars(query):
        lifecycle = uow.registry.get(f.lifecycle, f.lifecycle_version)
        lit = light(f, export.today, uow.calendar, uow.light_policy)
        measures, history, action = _reference_facts(uow, f, lang)
        ids = [int(p) for p in f.unit.path.strip("/").split("/") if p]
        inspection = f.inspection
        rows.append([
            f.code, f.title, f.description, lifecycle.label(lang), label(CATEGORIES, f.category, lang),
            label(SEVERITIES, f.severity, lang),
            " / ".join(uow.session.get_one(type(f.unit), i).name(lang) for i in ids),
            f.campaign.name if f.campaign else "",
            f"{inspection.inspected_on.isoformat()} {inspection.team}".strip() if inspection else "",
            label(METHODS, inspection.method, lang) if inspection else "",
            f.raised_by.display_name, f.created_at.astimezone(uow.zone).replace(tzinfo=None),
            f.requirement, f.due_date, history, measures, lifecycle.state(f.state).label(lang),
            _pick(LIGHTS[lit.colour], lang) if lit.colour else "",
            _pick(("是", "yes"), lang) if is_unacknowledged(f) else "",
            lit.working_days_overdue or None, f.rework_rounds, action,
            f.closed_at.astimezone(uow.zone).replace(tzinfo=None) if f.closed_at else None])
    return rows


def _reference_csv(rows: list[list[Value]], headers: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else v.strftime("%Y-%m-%d %H:%M") if hasattr(v, "hour")
                         else v.isoformat() if isinstance(v, date) else
                         "'" + v if isinstance(v, str) and v.startswith(("=", "+", "-", "@"))
                         else v for v in row])
    return "\ufeff" + out.getvalue()


@pytest.fixture
def varied(flow: Any, org: Any, rectify: Any, clock: Any) -> None:
    """Findings over lifecycles, units, states, lights, a campaign's inspection, an extension,
    a rework round, comments, a closed one and overdue ones (the clock moved on)."""
    today = flow.today()
    with rectify.unit_of_work() as uow:
        campaign = create_campaign(uow.session, "春季安全专项检查", org.inspection_body, today)
        inspection = create_inspection(uow.session, org.group_b, today, "unannounced",
                                       campaign=campaign, created_by=org.inspector)
        uow.commit()
        inspection_id = inspection.id
    due = {"requirement": "Fix it", "due_date": (today + timedelta(days=3)).isoformat()}
    flow.fire(flow.raise_(title="=SUM(A1) 通道", severity="high").id, "assign", payload=due)
    flow.raise_(title="Label", category="food_safety", severity="low", unit=org.sub_a1.id)
    extended = flow.raise_(title="安全通道堵塞", description="三楼东侧\n纸箱, \"堆放\"",
                           inspection_id=inspection_id, unit=org.group_b.id)
    flow.drive(extended.id, "assign", "request_extension", "approve_extension",
               "report_rectification")
    rework = flow.raise_(title="Ladder", severity="low", unit=org.sub_b1.id)
    flow.drive(rework.id, "assign", "report_rectification", "revisit", "reject")
    with rectify.unit_of_work() as uow:
        add_comment(uow, org.handler_b, rework.id, "Working on it again")
    flow.drive(flow.raise_(title="Closed", unit=org.sub_a2.id).id, "assign",
               "report_rectification", "revisit", "confirm")
    several = flow.raise_(title="Reworked twice", unit=org.sub_a1.id).id
    flow.fire(several, "assign", payload={"requirement": "Fix it"})  # the default by severity
    for round_, new_due in enumerate(((today + timedelta(days=20)).isoformat(), None)):
        clock.advance(hours=5)
        flow.fire(several, "report_rectification",
                  payload={"measures": f"Round {round_}: 拆除, \"重装\"",
                           "evidence": [flow.evidence(org.handler_for(org.sub_a1.id))]})
        flow.drive(several, "revisit")
        flow.fire(several, "reject", payload={"reason": "Still blocked at night",
                                              **({"due_date": new_due} if new_due else {})})
    clock.advance(hours=5)
    flow.drive(several, "request_extension", "approve_extension")
    with rectify.unit_of_work() as uow:
        add_comment(uow, org.handler_for(org.sub_a1.id), several, "A remark, not a step")
    flow.raise_("suggestion", title="Monthly fire drills", category="other", severity="low")
    flow.raise_("immediate", title="Extinguisher expired", unit=org.sub_a2.id)
    clock.advance(days=12)


@pytest.mark.parametrize(("lang", "sort"), [("zh", "-created"), ("en", "unit"), ("zh", "due")])
def test_the_rows_are_the_orm_exports(varied, org, rectify, lang, sort):
    with rectify.unit_of_work(write=False) as uow:
        flt = LedgerFilter(sort=sort)
        expected = _reference_rows(uow, org.admin, flt, lang)
        export = LedgerExport(uow, org.admin, flt, lang)
        assert list(export.rows()) == expected
        assert len(expected) == 8 and {row[17] for row in expected} > {""}  # some lit
        assert any(row[14].count("→") == 1 for row in expected)  # a due date moved
        reworked = next(row for row in expected if row[1] == "Reworked twice")
        kinds = ("（返工重计） → ", "（延期）") if lang == "zh" else (" (rework) → ", " (extended)")
        assert reworked[14].count("→") == 2 and all(kind in reworked[14] for kind in kinds)
        assert reworked[15].startswith("Round 1")  # the latest measures
        assert reworked[20] == 2 and "remark" not in str(reworked[21])
        text = "".join(csv_chunks(LedgerExport(uow, org.admin, flt, lang)))
        assert text == _reference_csv(expected, export.headers())


def test_the_scoped_rows_are_the_orm_exports(varied, org, rectify):
    with rectify.unit_of_work(write=False) as uow:
        flt = LedgerFilter(unit_id=org.group_b.id)
        expected = _reference_rows(uow, org.handler_b, flt, "en")
        assert list(LedgerExport(uow, org.handler_b, flt, "en").rows()) == expected
        assert len(expected) == 2


def test_as_of_a_moment_the_facts_are_those_of_the_events_up_to_it(varied, org, rectify):
    """The ledger as of 15:00 on the first day: "Reworked twice" after its first rejection only."""
    moment = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # 15:00 in the organisation's zone
    with rectify.unit_of_work(write=False) as uow:
        rows = list(LedgerExport(uow, org.admin, LedgerFilter(as_of=moment), "en").rows())
        findings = {f.code: f for f in uow.session.scalars(select(Finding))}
        assert len(rows) == 6  # the last two were raised later
        for row in rows:
            expected = _reference_facts(uow, findings[str(row[0])], "en", moment)
            assert (row[15], row[14], row[21]) == expected
        then = next(row for row in rows if row[1] == "Reworked twice")
        assert str(then[15]).startswith("Round 0") and "(rework)" in str(then[14])
        assert str(then[21]).startswith("Not in place") and "(extended)" not in str(then[14])


def test_only_payloads_with_a_measure_or_a_due_date_are_decoded():
    """As of a moment, every payload a fact reads passes the filter, including a raise's own due
    date as older events carry it (without due_date_change); the others are never decoded."""
    texts = ['{"due_date": "2026-03-10"}', '{"comment": "on it"}', '{"measures": "Cleared"}',
             '{"due_date_change": [null, "2026-03-24"]}', '{"reason": "Still blocked"}']
    assert [read_payload(text) for text in texts] == [
        {"due_date": "2026-03-10"}, {}, {"measures": "Cleared"},
        {"due_date_change": [None, "2026-03-24"]}, {}]
