"""Peers: one persisted, audited transition in viewflow.fsm, django-fsm-2 + django-fsm-log and
python-statemachine 3 + SQLAlchemy, against a raw driver floor, the chained floor and fire()."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from importlib.util import find_spec

from benchmarks import transition
from benchmarks.floor import FloorTransition
from benchmarks.peers.raw_floor import RawDriverFloor
from benchmarks.report import Section, timed
from benchmarks.timing import interleaved
from benchmarks.world import Org, Target
from workflow.db import Database
from workflow.runtime import Rectify

# import name -> distribution, as the `bench` extra in pyproject.toml installs them
PACKAGES = {"django": "Django", "viewflow": "django-viewflow", "django_fsm": "django-fsm-2",
            "django_fsm_log": "django-fsm-log", "statemachine": "python-statemachine"}
RAW = "raw driver: SELECT, UPDATE (version checked), INSERT history row, COMMIT"
CHAINED = "raw SQL + Rectify's hash chain and row digest (the transition floor)"
FIRE = "Rectify fire(): request_extension ⇄ deny_extension"
NOTES = ["each peer's row and history rows read back on another connection after the run: "
         "every transition committed, one history row each",
         "django-fsm-2 saves with ConcurrentTransitionMixin (UPDATE … WHERE state = the loaded "
         "one); viewflow.fsm has no such check; python-statemachine's row has a version column",
         "fire() runs as a request does (the app's engine and pool, a unit of work per call); the "
         "peers keep their connection"]


def missing() -> list[str]:
    """The bench extra's packages that cannot be imported here (empty: the peers can run)."""
    return [dist for module, dist in PACKAGES.items() if find_spec(module) is None]


def skipped() -> str:
    """Why the peers did not run, for the results."""
    return (f"peers skipped: {', '.join(missing())} not installed "
            "(pip install -e \".[bench]\" installs the peers)")


def _versions() -> str:
    found = []
    for dist in PACKAGES.values():
        try:
            found.append(f"{dist} {version(dist)}")
        except PackageNotFoundError:
            found.append(f"{dist} ?")
    return ", ".join(found)


def run(app: Rectify, org: Org, target: Target, ops: int, batches: int) -> Section:
    """Every case interleaved on the run's database; each peer then proven persisted."""
    from benchmarks.peers import django_peers, sm_orm

    handler, group_a = org.users["handler"], org.units["group_a"]
    steps, fires = transition.extension_loop(app, org)
    orm = Database(target.url, pool_pre_ping=False)
    sm_orm.create_tables(orm.engine)
    raw = target.connect()
    try:
        with django_peers.connected(target):
            peers = {**django_peers.cases(), **sm_orm.cases(orm, handler.id)}
            floor = RawDriverFloor(raw, sm_orm.new_doc(orm.engine), handler.id)
            chained = FloorTransition(raw, transition.raise_one(app, org, group_a, assign=True),
                                      handler.id, steps)
            fire = transition.engine(app, transition.raise_one(app, org, group_a, assign=True), fires)
            samples = interleaved({RAW: floor, CHAINED: chained, **peers, FIRE: fire}, ops, batches)
            for case in (floor, *peers.values()):
                case.prove(raw)
    finally:
        raw.close()
        orm.dispose()
    return timed(f"peers_{target.label.lower()}", f"Peers, {target.label}", samples, RAW,
                 [_versions(), *NOTES])
