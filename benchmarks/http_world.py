"""The HTTP case's data: a bulk world, a bearer token, and the findings wrk reads and fires on."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from benchmarks.bulk import World, generate
from benchmarks.world import Target
from workflow.models import Finding, User
from workflow.runtime import Rectify
from workflow.services.tokens import issue_token

LIFECYCLE, STATES = "standard", ("assigned", "extension_requested", "waiver_requested")
TRIGGER = "urge"  # standard v3: a self-loop from those states, inspector or supervisor, a message


@dataclass
class HttpWorld:
    """Who calls (the province commission's supervisor, whose scope is the whole tree), with
    which token; which findings are read, and which are urged (id and version, one per wrk
    connection and its spares)."""

    world: World
    username: str
    token: str
    read_ids: list[int]
    fire_rows: list[tuple[int, int]]


def build(app: Rectify, findings: int, units: int, fire_needed: int,
          seed: int = 11) -> HttpWorld:
    world = generate(app, findings, units=units)
    tree = world.tree
    actor_id = tree.person(tree.root, "supervisor")
    with app.unit_of_work() as uow:
        user = uow.session.get(User, actor_id)
        assert user is not None
        username = user.username
        token = issue_token(uow, user, "http benchmark")
    version = app.registry.get(LIFECYCLE).version
    with app.database.engine.connect() as conn:
        ids = list(conn.scalars(select(Finding.id).order_by(Finding.id)))
        fire_rows = [(row.id, row.version) for row in conn.execute(
            select(Finding.id, Finding.version).where(
                Finding.lifecycle == LIFECYCLE, Finding.lifecycle_version == version,
                Finding.state.in_(STATES)).order_by(Finding.id))]
    if len(fire_rows) < fire_needed:
        raise RuntimeError(f"{len(fire_rows)} findings can be urged, {fire_needed} needed: "
                           "raise --findings")
    rng = random.Random(seed)
    rng.shuffle(ids)
    rng.shuffle(fire_rows)
    return HttpWorld(world, username, token, ids[:2000], fire_rows[:fire_needed])


def write_data(folder: Path, world: HttpWorld) -> tuple[Path, Path]:
    """The files the Lua script reads: ids to GET, and `id version` pairs to fire on."""
    reads, fires = folder / "read_ids.txt", folder / "fire_rows.txt"
    reads.write_text("".join(f"{i}\n" for i in world.read_ids), "utf-8")
    fires.write_text("".join(f"{i} {v}\n" for i, v in world.fire_rows), "utf-8")
    return reads, fires


def refresh_versions(target: Target, fires: Path, settle: float = 2.0, patience: float = 60) -> None:
    """Re-read the fired findings' versions into `fires`, once they stop changing: a request in
    flight when wrk stopped may still commit after it."""
    ids = [int(line.split()[0]) for line in fires.read_text("utf-8").splitlines()]
    raw, deadline, seen = target.connect(), time.monotonic() + patience, None
    try:
        while True:
            rows = dict(raw.query(f"SELECT id, version FROM findings WHERE id IN "
                                  f"({', '.join('?' * len(ids))})", tuple(ids)))
            if rows == seen or time.monotonic() > deadline:
                break
            seen = rows
            time.sleep(settle)
    finally:
        raw.close()
    fires.write_text("".join(f"{i} {rows[i]}\n" for i in ids), "utf-8")
