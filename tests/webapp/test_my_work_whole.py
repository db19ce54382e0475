"""My work of a scope holding every unit (the root's people, an admin) drops the unit tests of its
clauses (scope.Breadth.whole): on a random world (findings in every state moved to random units,
raised by random bodies, the root among them, with parties), the shortcut lists exactly what the
general clauses list, clause by clause and page by page, for people of every role at the root, on
SQLite and PostgreSQL; and a second root makes the first one's scope no longer whole."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from tests.webapp.test_my_work_agrees import _with_parties
from tests.webapp.test_my_work_walk import _pages
from workflow.models import Finding, Unit, User
from workflow.services import scope, work
from workflow.services.units import create_unit
from workflow.services.work import work_clauses

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
ROOT_ROLES = ("supervisor", "reviewer", "inspector", "handler", "handler reviewer supervisor")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Both backends (web tests pin SQLite otherwise)."""
    return str(request.param)


@pytest.fixture
def random_world(driver, rectify, org, flow) -> list[int]:
    """Findings in every state of every lifecycle and with parties, then each moved to a random
    unit (the root's own among them), raised by a random body (at, above or below it), due on a
    random day, acknowledged or not; and people of each role at the root. Their user ids."""
    for lifecycle in ("standard", "immediate", "suggestion", "escalation"):
        for state in driver.lifecycle(lifecycle).states:
            driver.bring_to(lifecycle, state.name)
            driver.bring_to(lifecycle, state.name)
    _with_parties(driver, org)
    rng, today = random.Random(29), flow.today()
    with rectify.unit_of_work() as uow:
        units = sorted(uow.session.scalars(select(Unit.id)))
        for finding_id in uow.session.scalars(select(Finding.id).order_by(Finding.id)):
            days = rng.choice([None, -3, 0, 0, 5])
            uow.session.execute(update(Finding).where(Finding.id == finding_id).values(
                unit_id=rng.choice(units), raised_by_unit_id=rng.choice(units),
                due_date=None if days is None else today + timedelta(days=days),
                acknowledged_at=rng.choice([None, uow.now()])))
        people = [User(username=f"root_{n}", display_name=f"root_{n}", password_hash="-",
                       roles=roles, unit_id=org.commission.id)
                  for n, roles in enumerate(ROOT_ROLES)]
        uow.session.add_all(people)
        uow.commit()
        return [p.id for p in people] + [org.supervisor.id, org.admin.id]


def _user(uow, user_id: int) -> User:
    return uow.session.scalars(select(User).where(User.id == user_id)
                               .options(joinedload(User.unit))).one()


def test_a_scope_is_whole_for_the_root_and_admins_only(rectify, org):
    with rectify.unit_of_work(write=False) as uow:
        whole = {u.username for u in org.users.values()
                 if scope.breadth(uow.session, _user(uow, u.id)).whole}
    assert whole == {"supervisor", "admin"}


def test_the_shortcut_matches_what_the_unit_tests_match(rectify, random_world):
    """Clause by clause (their matches must not overlap either), every finding of the world."""
    listed = 0
    with rectify.unit_of_work(write=False) as uow:
        for user_id in random_world:
            actor = _user(uow, user_id)
            assert scope.breadth(uow.session, actor).whole, actor.username
            general, shortcut = (work_clauses(uow, actor, whole=whole) for whole in (False, True))
            assert len(general) == len(shortcut), actor.username
            for one, other in zip(general, shortcut, strict=True):
                ids = [set(uow.session.scalars(select(Finding.id).where(c))) for c in (one, other)]
                assert ids[0] == ids[1], actor.username
                listed += len(ids[0])
            both = uow.session.scalars(select(Finding.id).where(*shortcut)).all()
            assert len(shortcut) < 2 or not both, actor.username  # the clauses do not overlap
    assert listed > 50  # the world gives every person at the root some work


def test_my_work_pages_are_the_same_with_and_without_the_shortcut(rectify, random_world,
                                                                  monkeypatch):
    for user_id in random_world:
        whole = _pages(rectify, user_id, limit=4)
        monkeypatch.setattr(work, "breadth", lambda session, actor: scope.Breadth(1000, 999))
        assert _pages(rectify, user_id, limit=4) == whole, user_id  # wide, not whole
        monkeypatch.undo()


def test_a_second_root_takes_the_whole_tree_from_the_first(rectify, org):
    with rectify.unit_of_work() as uow:
        create_unit(uow.session, "OTHER", "另一委员会", "Another commission", "commission", None)
        uow.commit()
    with rectify.unit_of_work(write=False) as uow:
        supervisor = _user(uow, org.supervisor.id)
        assert not scope.breadth(uow.session, supervisor).whole
        assert scope.units_outside(uow.session, supervisor)
        assert scope.breadth(uow.session, _user(uow, org.admin.id)).whole
        assert not scope.units_outside(uow.session, _user(uow, org.admin.id))
