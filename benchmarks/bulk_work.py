"""On the bulk world: My work (待办), service and HTML, for a unit's handler, a group's handler, a
city commission's reviewer and the province's supervisor, each against reading the same rows by
primary key."""

from __future__ import annotations

from collections.abc import Callable

from benchmarks.bulk import World
from benchmarks.bulk_cases import web_client
from benchmarks.page_calls import page_get, rows_by_id
from benchmarks.report import Section, timed
from benchmarks.timing import each_call
from benchmarks.world import Target
from workflow.models import User
from workflow.runtime import Rectify
from workflow.services.work import my_work

FLOOR = "the same rows by primary key"


def who(world: World) -> list[tuple[str, int, str]]:
    """(description, user id, username) of the four people My work is measured for."""
    tree = world.tree
    group = tree.groups[0]
    leaf = next(u for u in tree.leaves if tree.parent[u] == group)
    city = tree.parent[group]
    chosen = (("a unit's handler", leaf, "handler"), ("a group's handler", group, "handler"),
              ("a city commission's reviewer", city, "reviewer"),
              ("the province's supervisor", tree.root, "supervisor"))
    return [(text, tree.person(unit, role), f"{role}-{tree.names[unit][0].lower()}")
            for text, unit, role in chosen]


def work_sections(app: Rectify, target: Target, world: World, rounds: int,
                  smoke: bool = False) -> list[Section]:
    """My work for each of who(): my_work() and GET /work against the floor."""
    people = who(world)
    return [_measure(app, target, person, rounds) for person in (people[:1] if smoke else people)]


def _measure(app: Rectify, target: Target, person: tuple[str, int, str], rounds: int) -> Section:
    text, user_id, username = person
    client = web_client(app, username)
    ids, total = _work(app, user_id)
    raw = target.connect()
    try:
        calls: dict[str, Callable[[], object]] = {
            FLOOR: rows_by_id(raw, ids), "my_work()": lambda: _work(app, user_id),
            "GET /work": page_get(client, "/work")}
        samples = each_call(calls, rounds)
    finally:
        raw.close()
    key = f"work_{target.label.lower()}_{username}"
    return timed(key, f"My work, {text}, {target.label}", samples, FLOOR,
                 [f"{len(ids)} rows listed of {total} to do ({username})"])


def _work(app: Rectify, user_id: int) -> tuple[list[int], str]:
    """SERVICE: My work as the page reads it (its first page and the count, capped)."""
    with app.unit_of_work(write=False) as uow:
        todo = my_work(uow, uow.session.get_one(User, user_id))
        more = "more than " if todo.total.more else ""
        return [f.id for f in todo.items], f"{more}{todo.total.n:,}"
