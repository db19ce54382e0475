"""On the bulk world: the ledger's first page as of a past moment, against the raw SQL that picks
each finding's state then (its last event at or before the moment) in the same run."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from benchmarks.bulk import World
from benchmarks.report import Section, timed
from benchmarks.timing import each_call
from benchmarks.world import Target
from workflow.models import Event, User
from workflow.runtime import Rectify
from workflow.services.ledger import LedgerFilter
from workflow.services.ledger_view import read_ledger

FLOOR = "raw SELECT of the states then"
FLOOR_PAGE = (
    "SELECT f.id FROM findings f "
    "JOIN (SELECT finding_id, max(seq) AS seq FROM events WHERE created_at <= ? "
    "GROUP BY finding_id) h ON h.finding_id = f.id "
    "JOIN events e ON e.finding_id = h.finding_id AND e.seq = h.seq "
    "JOIN units u ON u.id = f.unit_id "
    "WHERE f.unit_id IN (SELECT id FROM units WHERE path LIKE ?) "
    "ORDER BY f.created_at DESC, f.id DESC LIMIT 51")


def middle_moment(app: Rectify) -> datetime:
    """Halfway between the first and the last event: about half the findings exist by then."""
    with app.unit_of_work(write=False) as uow:
        first, last = uow.session.execute(
            select(func.min(Event.created_at), func.max(Event.created_at))).one()
    return first + (last - first) / 2


def page_as_of(app: Rectify, actor_id: int, moment: datetime) -> list[int]:
    """SERVICE: the ledger page's first 50 rows as of the moment (web/pages/ledger.py calls it)."""
    with app.unit_of_work(write=False) as uow:
        actor = uow.session.get_one(User, actor_id)
        return [f.id for f in read_ledger(uow, actor, LedgerFilter(as_of=moment)).items]


def as_of_section(app: Rectify, target: Target, world: World, rounds: int) -> Section:
    tree, moment = world.tree, middle_moment(app)
    actor = tree.person(tree.root, "supervisor")
    raw = target.connect()
    try:
        path = str(raw.query("SELECT path FROM units WHERE id = ?", (tree.root,))[0][0])

        def floor() -> list[int]:
            return [row[0] for row in raw.query(FLOOR_PAGE, (raw.stamp(moment), path + "%"))][:50]

        def service() -> list[int]:
            return page_as_of(app, actor, moment)

        assert service() == floor(), "the service and the floor list different findings"
        samples = each_call({FLOOR: floor, "ledger(as_of=…), first page": service}, rounds)
    finally:
        raw.close()
    return timed(f"as_of_{target.label.lower()}", f"Ledger as of a past moment, {target.label}",
                 samples, FLOOR, [f"{world.findings:,} findings; as of {moment:%Y-%m-%d %H:%M} UTC "
                                  "(halfway through the events); first page of 50",
                                  "as the province commission's supervisor"])
