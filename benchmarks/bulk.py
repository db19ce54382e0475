"""A realistic world in bulk: the unit tree, its people, and N findings over every lifecycle and
state with event chains `rectify verify` accepts, written in chunks (COPY on PostgreSQL)."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from time import perf_counter
from typing import Any

from psycopg.types.json import Json
from sqlalchemy import Connection, delete, func, insert, select

from benchmarks.bulk_chains import Chain, chains, walks
from benchmarks.bulk_tree import Tree, build_tree
from workflow.models import CodeCounter, Event, Finding, FindingParty
from workflow.runtime import Rectify

CHUNK = 5000  # findings per write (and per commit): memory stays flat in N
JSON_COLUMNS = ("payload", "reports_us", "state_us")  # events' payload, findings' stats facts


@dataclass
class World:
    """What was generated, and how long it took."""

    tree: Tree
    findings: int = 0
    events: int = 0
    by_state: dict[tuple[str, str], int] = field(default_factory=dict)
    seconds: float = 0.0


def generate(app: Rectify, n: int, units: int = 5000, seed: int = 7,
             today: date | None = None) -> World:
    """Add the tree and n findings to the app's (migrated) database."""
    began, rng = perf_counter(), random.Random(seed)
    today = today or datetime.now(app.zone).date()
    with app.database.engine.begin() as conn:
        tree = build_tree(conn, units, rng, today)
        counters = {year: last for year, last in conn.execute(select(CodeCounter.year, CodeCounter.last))}
    world = World(tree)
    pools = [(lc, walks(lc, rng)) for lc in app.registry.latest()]
    pending: list[Chain] = []
    for chain in chains(tree, pools, n, rng, today, counters):
        pending.append(chain)
        if len(pending) == CHUNK:
            write_chunk(app, pending, world)
            pending = []
    if pending:
        write_chunk(app, pending, world)
    with app.database.engine.begin() as conn:
        conn.execute(delete(CodeCounter).where(CodeCounter.year.in_(list(counters))))
        conn.execute(insert(CodeCounter), [{"year": y, "last": n} for y, n in counters.items()])
    world.seconds = perf_counter() - began
    return world


def write_chunk(app: Rectify, batch: list[Chain], world: World) -> None:
    """The findings with explicit ids (so events need no round trip), then events and parties."""
    with app.database.engine.begin() as conn:
        first = (conn.scalar(select(func.max(Finding.id))) or 0) + 1
        findings, events, parties = [], [], []
        for offset, chain in enumerate(batch):
            finding_id = first + offset
            findings.append({**chain.row, "id": finding_id, "version": len(chain.events)})
            events += [{**event, "finding_id": finding_id} for event in chain.events]
            parties += [{**party, "finding_id": finding_id} for party in chain.parties]
            key = (chain.lifecycle.name, chain.row["state"])
            world.by_state[key] = world.by_state.get(key, 0) + 1
        write(conn, Finding.__tablename__, findings)
        write(conn, Event.__tablename__, events)
        write(conn, FindingParty.__tablename__, parties)
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SELECT setval(pg_get_serial_sequence('findings', 'id'), "
                                 "(SELECT max(id) FROM findings))")
        world.findings += len(findings)
        world.events += len(events)


def write(conn: Connection, table: str, rows: list[dict[str, Any]]) -> None:
    """executemany through Core on SQLite; COPY on PostgreSQL."""
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        target = {"findings": Finding, "events": Event, "finding_parties": FindingParty}[table]
        conn.execute(insert(target), rows)
        return
    copy_rows(conn, table, list(rows[0]), ([row[c] for c in row] for row in rows))


def copy_rows(conn: Connection, table: str, columns: list[str],
              rows: Iterable[list[Any]]) -> None:
    """COPY FROM STDIN in the connection's transaction; JSON columns wrapped for psycopg."""
    driver = conn.connection.driver_connection
    assert driver is not None
    json_at = [i for i, c in enumerate(columns) if c in JSON_COLUMNS]
    names = ", ".join(f'"{c}"' for c in columns)
    with driver.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            for i in json_at:
                row[i] = None if row[i] is None else Json(row[i])  # SQL NULL, not JSON null
            copy.write_row(row)
