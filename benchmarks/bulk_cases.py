"""On the bulk world: the dashboard (whole tree, one group) and the ledger's XLSX export, each
against the equivalent raw SQL in the same run. To re-point a case after a rewrite, change only
the small functions marked SERVICE below: they call what the page calls."""

from __future__ import annotations

import io
import tracemalloc
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from flask import Flask
from openpyxl import Workbook, load_workbook

from benchmarks.bulk import World
from benchmarks.bulk_tree import PASSWORD
from benchmarks.report import Section, sized, timed
from benchmarks.timing import each_call
from benchmarks.world import Raw, Target
from workflow.catalog import CATEGORIES
from workflow.models import User
from workflow.runtime import Rectify
from workflow.services.light import today_cutoff
from workflow.services.stats import dashboard
from workflow.services.stats_args import StatsQuery
from workflow.services.stats_report import statistics

EXPORT_FLOOR = "raw SELECT + openpyxl write-only"
EXPORT_ROWS = 10_000  # the export case picks the filter whose row count comes nearest


def dashboard_numbers(app: Rectify, actor_id: int, focus: int | None,
                      campaign: int | None = None, days: int | None = None) -> int:
    """SERVICE: what /dashboard computes: the statistics (services.stats_report) and the board
    of states and lights (services.stats.dashboard; counted in the statistics' pass when they
    share it, as on the page), for the unit's subtree; filtered by a campaign, or by the
    findings raised in the last `days` days (the filters the kept tallies do not serve)."""
    with app.unit_of_work(write=False) as uow:
        actor = uow.session.get_one(User, actor_id)
        cutoff = today_cutoff(uow)
        start = None if days is None else uow.today() - timedelta(days=days)
        stats = statistics(uow.session, actor, uow.registry,
                           StatsQuery(unit_id=focus, campaign_id=campaign, start=start,
                                      zone=uow.zone), uow.now(), cutoff)
        board = stats.board or dashboard(uow.session, actor, uow.today(), uow.registry,
                                         campaign, focus, cutoff)
        return sum(board.by_state.values()) + stats.totals.raised


# The floor: the same counts in two GROUP BYs over the same scope (a subtree by path prefix).
FLOOR_BY_UNIT = (
    "SELECT unit_id, category, count(*), sum(CASE WHEN is_open THEN 1 ELSE 0 END), "
    "sum(CASE WHEN rectified_on IS NOT NULL THEN 1 ELSE 0 END), "
    "sum(CASE WHEN is_open AND due_date < ? THEN 1 ELSE 0 END), sum(rework_rounds), "
    "sum(CASE WHEN rectified_on <= due_date THEN 1 ELSE 0 END) FROM findings "
    "WHERE unit_id IN (SELECT id FROM units WHERE path LIKE ?) GROUP BY unit_id, category")
FLOOR_BY_STATE = ("SELECT lifecycle, state, count(*) FROM findings WHERE unit_id IN "
                  "(SELECT id FROM units WHERE path LIKE ?) GROUP BY lifecycle, state")


def dashboard_section(app: Rectify, target: Target, world: World, whole: bool,
                      rounds: int) -> Section:
    def floor(raw: Raw, path: str) -> int:
        raw.query(FLOOR_BY_UNIT, (date.today().isoformat(), path + "%"))
        return sum(row[2] for row in raw.query(FLOOR_BY_STATE, (path + "%",)))

    campaign = next(c for held in world.tree.inspections.values() for _i, c in held)
    return scoped_section(target, world, whole, rounds, "dashboard", floor,
                          lambda actor, focus: dashboard_numbers(app, actor, focus),
                          "; the filtered rows count the findings (no kept tally)", {
                              "dashboard(), one campaign": lambda: dashboard_numbers(
                                  app, actor_of(world), focus_of(world, whole), campaign),
                              "dashboard(), raised in the last 90 days": lambda: dashboard_numbers(
                                  app, actor_of(world), focus_of(world, whole), days=90)})


def actor_of(world: World) -> int:
    """Whom scoped_section measures as: the province commission's supervisor."""
    return world.tree.person(world.tree.root, "supervisor")


def focus_of(world: World, whole: bool) -> int | None:
    """scoped_section's focus: none (the whole tree) or its first group."""
    return None if whole else world.tree.groups[0]


def scoped_section(target: Target, world: World, whole: bool, rounds: int, name: str,
                   floor: Callable[[Raw, str], int], service: Callable[[int, int | None], int],
                   note: str = "", more: dict[str, Callable[[], object]] | None = None
                   ) -> Section:
    """A service over the whole tree or one group, as the province commission's supervisor,
    against floor(raw, the scope's path) in the same run; both count findings, shown beside.
    more: other calls timed beside them (rows of their own)."""
    tree = world.tree
    focus = focus_of(world, whole)
    path = unit_path(target, tree.root if whole else tree.groups[0])
    actor = actor_of(world)
    raw = target.connect()
    try:
        calls = {"raw GROUP BY": lambda: floor(raw, path),
                 f"{name}()": lambda: service(actor, focus), **(more or {})}
        counted = (calls[f"{name}()"](), calls["raw GROUP BY"]())
        samples = each_call(calls, rounds)
    finally:
        raw.close()
    where = "whole tree" if whole else "one group"
    key = f"{name}_{'tree' if whole else 'group'}_{target.label.lower()}"
    title = f"{name.replace('_', ' ').capitalize()}, {where}, {target.label}"
    return timed(key, title, samples, "raw GROUP BY",
                 [f"{world.findings:,} findings; {counted[0]:,} counted by the service, "
                  f"{counted[1]:,} by the floor", "as the province commission's supervisor"
                  + note])


def unit_path(target: Target, unit_id: int) -> str:
    raw = target.connect()
    try:
        return str(raw.query("SELECT path FROM units WHERE id = ?", (unit_id,))[0][0])
    finally:
        raw.close()


def export_filter(target: Target, world: World) -> tuple[str, tuple[Any, ...], str]:
    """(query string, raw WHERE parameters, raw WHERE) of the filter nearest EXPORT_ROWS rows."""
    raw = target.connect()
    try:
        options = [(f"category={c}", (c,), "f.category = ?") for c in CATEGORIES]
        options += [(f"unit={u}", (f"%/{u}/%",),
                     "f.unit_id IN (SELECT id FROM units WHERE path LIKE ?)")
                    for u in world.tree.groups[:8]]
        counts = [raw.query(f"SELECT count(*) FROM findings f WHERE {where}", args)[0][0]
                  for _q, args, where in options]
    finally:
        raw.close()
    best = min(range(len(options)), key=lambda i: abs(counts[i] - EXPORT_ROWS))
    return options[best]


def export_xlsx(client: Any, query: str) -> bytes:
    """SERVICE: the ledger page's Excel download (the export may be rewritten: same URL)."""
    response = client.get(f"/ledger.xlsx?{query}")
    assert response.status_code == 200, response.status_code
    return bytes(response.get_data())


def web_client(app: Rectify, username: str) -> Any:
    from web import create_app  # the web app only for this case

    flask: Flask = create_app({"RECTIFY": app, "TESTING": True, "RATELIMIT_ENABLED": False,
                               "WTF_CSRF_ENABLED": False})
    client = flask.test_client()
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


def floor_xlsx(raw: Raw, where: str, args: tuple[Any, ...]) -> bytes:
    """The same rows by one SELECT (with the unit's name), written by openpyxl write-only."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("ledger")
    sheet.append(["code", "title", "unit", "category", "severity", "state", "due", "created"])
    for row in raw.query("SELECT f.code, f.title, u.name_zh, f.category, f.severity, f.state, "
                         "f.due_date, f.created_at FROM findings f JOIN units u ON u.id = f.unit_id "
                         f"WHERE {where} "
                         "ORDER BY f.created_at DESC, f.id DESC", args):
        sheet.append([str(v) if v is not None else None for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def data_rows(workbook: bytes) -> int:
    """Rows below the header of a workbook's first sheet."""
    sheet = load_workbook(io.BytesIO(workbook), read_only=True).worksheets[0]
    return sum(1 for _ in sheet.iter_rows(min_row=2, values_only=True))


def peak(call: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        call()
        return float(tracemalloc.get_traced_memory()[1])
    finally:
        tracemalloc.stop()


def export_sections(app: Rectify, target: Target, world: World, rounds: int) -> list[Section]:
    query, args, where = export_filter(target, world)
    client = web_client(app, f"supervisor-{world.tree.names[world.tree.root][0].lower()}")
    raw = target.connect()
    try:
        def floor() -> bytes:
            return floor_xlsx(raw, where, args)

        def service() -> bytes:
            return export_xlsx(client, query)

        rows = raw.query(f"SELECT count(*) FROM findings f WHERE {where}", args)[0][0]
        if data_rows(service()) != rows or data_rows(floor()) != rows:
            raise AssertionError("the export and the floor do not hold the same rows")
        samples = each_call({EXPORT_FLOOR: floor,
                             "GET /ledger.xlsx": service}, rounds)
        memory = {EXPORT_FLOOR: peak(floor),
                  "GET /ledger.xlsx": peak(service)}
    finally:
        raw.close()
    label, notes = target.label, [f"{rows:,} rows ({query}) of {world.findings:,} findings"]
    return [timed(f"export_{label.lower()}", f"XLSX export, {label}", samples,
                  EXPORT_FLOOR, notes),
            sized(f"export_memory_{label.lower()}", f"XLSX export peak memory, {label}", memory,
                  EXPORT_FLOOR, [*notes, "tracemalloc peak"])]
