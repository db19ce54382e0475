"""Your sessions and tokens: a password change ends the others, a wrong current password changes
nothing, nobody ends another user's session or token; the admin's user search."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from workflow.errors import Forbidden, InvalidInput
from workflow.models import LoginSession, User
from workflow.services import accounts, sessions, user_search
from workflow.services.tick import tick
from workflow.services.tokens import issue_token, revoke_own_token, tokens_of
from workflow.services.user_search import UserFilter, find_users

PASSWORD = "correct-horse-battery"  # the shared Org's password (tests/conftest.py)
LIFETIMES = sessions.Lifetimes(idle=timedelta(hours=2), longest=timedelta(hours=12))


def user(uow: Any, username: str) -> User:
    return uow.session.get(User, uow.session.query(User.id).filter_by(username=username).scalar())


def logged_in_twice(rectify: Any, username: str) -> None:
    """Two browsers (phone and desktop) and an API token for the user."""
    with rectify.unit_of_work() as uow:
        me = user(uow, username)
        sessions.start_session(uow, me, "Phone\x00 Safari", "10.0.0.1")  # NUL from a header
        sessions.start_session(uow, me, "Desktop Firefox", "10.0.0.2")
        issue_token(uow, me, "script")


def live(rectify: Any, username: str) -> tuple[list[tuple[int, str]], list[int]]:
    """The user's live sessions (id, device) and live token ids."""
    with rectify.unit_of_work(write=False) as uow:
        me = user(uow, username)
        return ([(s.id, s.user_agent) for s in
                 sessions.active_sessions(uow.session, me, uow.now(), LIFETIMES)],
                [t.id for t in tokens_of(uow.session, me)])


def test_changing_the_password_ends_the_other_sessions_and_tokens(rectify, org):
    logged_in_twice(rectify, "handler_a")
    before, tokens = live(rectify, "handler_a")
    assert {agent for _id, agent in before} == {"Phone Safari", "Desktop Firefox"} and tokens
    with rectify.unit_of_work() as uow:
        accounts.change_own_password(uow, user(uow, "handler_a"), PASSWORD, "a-new-long-secret")
    assert live(rectify, "handler_a") == ([], [])
    with rectify.unit_of_work() as uow:
        assert accounts.login(uow, "handler_a", "a-new-long-secret").user is not None


def test_a_wrong_current_password_changes_nothing(rectify, org):
    logged_in_twice(rectify, "handler_a")
    with rectify.unit_of_work(write=False) as uow:
        before = user(uow, "handler_a")
        hash_before, version_before = before.password_hash, before.session_version
    with rectify.unit_of_work() as uow, pytest.raises(InvalidInput) as refused:
        accounts.change_own_password(uow, user(uow, "handler_a"), "not-my-password",
                                     "a-new-long-secret")
    assert set(refused.value.errors) == {"current_password"}
    with rectify.unit_of_work(write=False) as uow:
        after = user(uow, "handler_a")
        assert (after.password_hash, after.session_version) == (hash_before, version_before)
    still, tokens = live(rectify, "handler_a")
    assert len(still) == 2 and len(tokens) == 1


def test_nobody_ends_another_users_session_or_token(rectify, org):
    logged_in_twice(rectify, "handler_a")
    ((ended, _agent), other), (token_id,) = live(rectify, "handler_a")
    with rectify.unit_of_work() as uow:
        stranger = user(uow, "handler_b")
        with pytest.raises(Forbidden):
            sessions.end_own_session(uow, stranger, ended)
        with pytest.raises(Forbidden):
            revoke_own_token(uow, stranger, token_id)
    assert len(live(rectify, "handler_a")[0]) == 2 and live(rectify, "handler_a")[1]
    with rectify.unit_of_work() as uow:
        assert sessions.end_own_session(uow, user(uow, "handler_a"), ended)
    assert live(rectify, "handler_a")[0] == [other]


def test_logout_ends_only_the_browser_it_names(rectify, org):
    with rectify.unit_of_work() as uow:
        me = user(uow, "handler_a")
        phone = sessions.start_session(uow, me, "Phone", "10.0.0.1")
        sessions.start_session(uow, me, "Desktop", "10.0.0.2")
    with rectify.unit_of_work() as uow:
        assert not sessions.end_this_session(uow, user(uow, "handler_b"), phone)  # not theirs
        assert not sessions.end_this_session(uow, user(uow, "handler_a"), "no-such-key")
    assert len(live(rectify, "handler_a")[0]) == 2
    with rectify.unit_of_work() as uow:
        assert sessions.end_this_session(uow, user(uow, "handler_a"), phone)
    assert [agent for _id, agent in live(rectify, "handler_a")[0]] == ["Desktop"]


def test_the_tick_deletes_session_rows_long_ended_or_unused(rectify, org, clock):
    with rectify.unit_of_work() as uow:
        me = user(uow, "handler_a")
        ended = sessions.start_session(uow, me, "Ended", "10.0.0.1")
        sessions.start_session(uow, me, "Idle", "10.0.0.2")
        assert sessions.end_this_session(uow, me, ended)
    clock.advance(days=29, hours=23)
    with rectify.unit_of_work() as uow:
        fresh = sessions.start_session(uow, user(uow, "handler_a"), "Fresh", "10.0.0.3")
    assert tick(rectify).sessions_purged == 0  # not yet 30 days: kept
    clock.advance(hours=1, minutes=1)
    report = tick(rectify)
    assert report.sessions_purged == 2 and "old login sessions deleted: 2" in str(report)
    with rectify.unit_of_work(write=False) as uow:
        left = uow.session.scalars(select(LoginSession.user_agent)).all()
        assert left == ["Fresh"]
        assert sessions.live_session(uow.session, user(uow, "handler_a"), fresh) is not None


def test_the_admin_finds_users_by_text_unit_subtree_and_role(rectify, org, monkeypatch):
    monkeypatch.setattr(user_search, "PAGE_SIZE", 2)
    with rectify.unit_of_work(write=False) as uow:
        admin = user(uow, "admin")

        def names(**wanted: Any) -> list[str]:
            return [u.username for u in find_users(uow.session, admin, UserFilter(**wanted)).users]

        assert names(unit_id=org.group_a.id) == ["handler_a", "handler_a1"]  # page 1 of 2
        assert names(unit_id=org.group_a.id, role="reviewer") == ["handler_reviewer_a"]
        assert names(text="HANDLER_B") == ["handler_b"]
        assert names(text="%") == []  # a wildcard is a character like any other
        second = find_users(uow.session, admin, UserFilter(unit_id=org.group_a.id, page=2))
        assert ([u.username for u in second.users], second.total, second.pages) == (
            ["handler_reviewer_a"], 3, 2)
        with pytest.raises(InvalidInput) as refused:
            find_users(uow.session, admin, UserFilter(role="boss", unit_id=0, page=0))
        assert set(refused.value.errors) == {"role", "unit", "page"}
        with pytest.raises(Forbidden):
            find_users(uow.session, user(uow, "supervisor"), UserFilter())
