"""On the bulk world: ledger pages (first, deep, filtered, subtree, each sort) and text search
(1-, 2-character and unmatched queries), service and HTML, each against reading the same rows
by primary key; then the same without the gram index and the sort indexes (the LIKE as before)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from unittest import mock
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, or_
from sqlalchemy.orm import Session

from benchmarks.bulk import World
from benchmarks.bulk_cases import web_client
from benchmarks.bulk_work import work_sections
from benchmarks.page_calls import page_get, rows_by_id
from benchmarks.report import Section, timed
from benchmarks.timing import each_call
from benchmarks.world import Target, analyze_sql
from workflow.models import Finding, User
from workflow.runtime import Rectify
from workflow.services import LedgerFilter, ledger
from workflow.services.search import search

FLOOR = "the same rows by primary key"
DEEP = 50  # the deep page's number
SORT_INDEXES = ("ix_findings_state_created", "ix_findings_state_id", "ix_findings_unit_created",
                "ix_findings_due_order")
QUERIES = ("消毒", "台账", "账", "zqxj")  # none, an eighth, an eighth (one character), none


@dataclass(frozen=True)
class Case:
    """One page to fetch: its filter, page number, and the query string of the same page."""

    name: str
    flt: LedgerFilter
    page: int = 1
    args: tuple[tuple[str, str], ...] = ()


def cases(app: Rectify, world: World) -> list[Case]:
    state = _commonest_state(app)
    group = world.tree.groups[0]
    found = [Case("first page", LedgerFilter()),
             Case(f"page {DEEP}", LedgerFilter(), DEEP),
             Case(f"state={state}, page {DEEP}", LedgerFilter(states=(state,)), DEEP,
                  (("state", state),)),
             Case("one group's subtree", LedgerFilter(unit_id=group), 1, (("unit", str(group)),))]
    found += [Case(f"sort={sort}", LedgerFilter(sort=sort), 1, (("sort", sort),))
              for sort in ("due", "-due", "code", "unit", "state")]
    found.append(Case(f"sort=due, page {DEEP}", LedgerFilter(sort="due"), DEEP, (("sort", "due"),)))
    return found + [Case(f"q={q}", LedgerFilter(text=q), 1, (("q", q),)) for q in QUERIES]


def _commonest_state(app: Rectify) -> str:
    with app.database.engine.connect() as conn:
        return str(conn.exec_driver_sql("SELECT state FROM findings GROUP BY state "
                                        "ORDER BY count(*) DESC LIMIT 1").scalar_one())


def pages_sections(app: Rectify, target: Target, world: World, rounds: int,
                   smoke: bool = False) -> list[Section]:
    """Every case with the indexes, and My work (benchmarks.bulk_work), then the cases without
    the indexes (the text filter a plain LIKE); a smoke run: the first page and one search,
    and one person's My work."""
    actor = world.tree.person(world.tree.root, "supervisor")
    client = web_client(app, f"supervisor-{world.tree.names[world.tree.root][0].lower()}")
    chosen = cases(app, world)
    chosen = [chosen[0], chosen[-3]] if smoke else chosen
    with_indexes = [_measure(app, target, client, actor, case, rounds, "") for case in chosen]
    with_indexes += work_sections(app, target, world, rounds, smoke)
    with _without_indexes(app):
        without = [_measure(app, target, client, actor, case, rounds, ", before")
                   for case in chosen]
    return with_indexes + without


def _measure(app: Rectify, target: Target, client: Any, actor: int, case: Case, rounds: int,
             suffix: str) -> Section:
    cursor = _cursor_of(app, actor, case)
    query = urlencode([*case.args, *((("cursor", cursor),) if cursor else ())])
    ids = _page(app, actor, case.flt, cursor)
    raw = target.connect()
    try:
        path = f"/search?{urlencode([('q', case.flt.text)])}" if case.flt.text else f"/ledger?{query}"
        calls: dict[str, Callable[[], object]] = {
            FLOOR: rows_by_id(raw, ids), "ledger()": lambda: _page(app, actor, case.flt, cursor),
            "GET": page_get(client, path)}
        if case.flt.text:
            calls["search()"] = lambda: _search(app, actor, case.flt.text or "")
        samples = each_call(calls, rounds)
    finally:
        raw.close()
    key = f"pages_{target.label.lower()}_{case.name}{suffix}"
    return timed(key, f"Ledger {case.name}{suffix}, {target.label}", samples, FLOOR,
                 [f"{len(ids)} rows of {world_size(app):,} findings; as the province supervisor"])


def world_size(app: Rectify) -> int:
    with app.database.engine.connect() as conn:
        return int(conn.exec_driver_sql("SELECT max(id) FROM findings").scalar_one() or 0)


def _page(app: Rectify, actor_id: int, flt: LedgerFilter, cursor: str | None) -> list[int]:
    """SERVICE: one ledger page as the ledger view reads it."""
    with app.unit_of_work(write=False) as uow:
        actor = uow.session.get_one(User, actor_id)
        return [f.id for f in ledger(uow.session, actor, flt, uow.today(), cursor).items]


def _search(app: Rectify, actor_id: int, q: str) -> int:
    """SERVICE: the global search (findings, units, people, letters)."""
    with app.unit_of_work(write=False) as uow:
        return len(search(uow, uow.session.get_one(User, actor_id), q).findings.rows)


def _cursor_of(app: Rectify, actor_id: int, case: Case) -> str | None:
    """The cursor that opens the case's page (walking the pages before it)."""
    cursor = None
    with app.unit_of_work(write=False) as uow:
        actor = uow.session.get_one(User, actor_id)
        for _ in range(case.page - 1):
            cursor = ledger(uow.session, actor, case.flt, uow.today(), cursor).next_cursor
    return cursor


def like_only(session: Session, needle: str) -> ColumnElement[bool]:
    """The text filter as it was before the gram index: LIKE '%needle%' on three columns."""
    return or_(Finding.title.icontains(needle, autoescape=True),
               Finding.description.icontains(needle, autoescape=True),
               Finding.code.icontains(needle, autoescape=True))


@contextmanager
def _without_indexes(app: Rectify) -> Iterator[None]:
    """The sort indexes dropped (statistics refreshed) and the ledger filtering text by LIKE."""
    with app.database.engine.begin() as conn:
        for name in SORT_INDEXES:
            conn.exec_driver_sql(f"DROP INDEX {name}")
        conn.exec_driver_sql(analyze_sql(conn.dialect.name == "postgresql"))
    with mock.patch("workflow.services.ledger.text_clause", like_only):
        yield
