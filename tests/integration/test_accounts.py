"""Account rules in the engine: login (equal cost for unknown users, lockout with backoff,
disabled accounts), the password policy, usernames, every field error at once, the last admin,
and the session version bumps."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from workflow.demo.units import PASSWORD as DEMO_PASSWORD
from workflow.errors import InvalidInput
from workflow.models import User
from workflow.services import accounts
from workflow.services import login as login_module
from workflow.services.accounts import UserChange, password_errors


def attempt(rectify: Any, username: str, password: str) -> accounts.Login:
    """One login in its own unit of work (the service commits)."""
    with rectify.unit_of_work() as uow:
        return accounts.login(uow, username, password)


def reload(rectify: Any, user_id: int) -> User:
    with rectify.unit_of_work(write=False) as uow:
        user = uow.session.get(User, user_id)
        assert user is not None
        uow.session.expunge(user)
        return user


# --- login -----------------------------------------------------------------------------------


def test_an_unknown_username_costs_one_hash_check_like_a_wrong_password(rectify, org, monkeypatch):
    calls: list[str] = []
    real = login_module.check_password_hash

    def counting(pwhash: str, password: str) -> bool:
        calls.append(pwhash.split("$")[0])
        return real(pwhash, password)

    monkeypatch.setattr(login_module, "check_password_hash", counting)
    assert attempt(rectify, "nobody-at-all", "some-password").refusal == "wrong"
    unknown = list(calls)
    calls.clear()
    assert attempt(rectify, "inspector", "some-password").refusal == "wrong"
    assert len(unknown) == len(calls) == 1
    # the dummy is hashed the way new passwords are, so checking it costs the same
    assert unknown[0] == generate_password_hash("x").split("$")[0]


def test_five_failures_lock_the_account_then_the_lock_doubles_up_to_an_hour(rectify, org, clock):
    for _ in range(4):
        assert attempt(rectify, "inspector", "wrong-password").refusal == "wrong"
    assert reload(rectify, org.inspector.id).locked_until is None
    attempt(rectify, "inspector", "wrong-password")
    assert reload(rectify, org.inspector.id).locked_until == clock() + timedelta(minutes=1)
    locked = attempt(rectify, "inspector", org.password)
    assert (locked.user, locked.refusal) == (None, "locked")
    assert attempt(rectify, "inspector", "wrong-password").refusal == "wrong"  # not counted
    assert reload(rectify, org.inspector.id).failed_logins == 5
    waits = []
    for _ in range(8):
        clock.set(reload(rectify, org.inspector.id).locked_until)  # type: ignore[arg-type]
        attempt(rectify, "inspector", "wrong-password")
        waits.append((reload(rectify, org.inspector.id).locked_until - clock()) // timedelta(minutes=1))
    assert waits == [2, 4, 8, 16, 32, 60, 60, 60]


def test_a_success_resets_the_failures(rectify, org, clock):
    for _ in range(5):
        attempt(rectify, "inspector", "wrong-password")
    clock.advance(minutes=1)
    assert attempt(rectify, "inspector", org.password).user is not None
    after = reload(rectify, org.inspector.id)
    assert (after.failed_logins, after.locked_until) == (0, None)


def test_a_disabled_account_is_told_so_only_with_the_right_password(rectify, org):
    change(rectify, org.handler_b.id, active=False)
    assert attempt(rectify, "handler_b", org.password).refusal == "disabled"
    assert attempt(rectify, "handler_b", "wrong-password").refusal == "wrong"


# --- passwords and usernames -----------------------------------------------------------------


@pytest.mark.parametrize(("password", "username", "en"), [
    ("short-pw", "alice", "The password needs at least 10 characters."),
    ("Alice-Wonder", "alice", "must not contain the username"),
    ("ALICE", "alice", "The password needs at least 10 characters."),
    ("alicealice", "alicealice", "must not contain the username"),
    ("password1234", "alice", "too common"),
    ("QWERTYUIOP", "alice", "too common"),
    ("x" * 201, "alice", "The password can have at most 200 characters."),
])
def test_the_password_policy_refuses(password, username, en):
    errors = password_errors(password, username)
    assert en in errors["password"]["en"]
    assert errors["password"]["zh"]


@pytest.mark.parametrize("password", [DEMO_PASSWORD, "correct-horse-battery", "ab-is-fine-here"])
def test_the_password_policy_accepts(password):
    assert password_errors(password, "ab") == {}


def test_the_demo_password_passes_the_policy():
    assert password_errors(DEMO_PASSWORD, "inspector") == {}


@pytest.mark.parametrize("username", ["with space <b>", "x" * 65, "UPPER", "a", "名字", ""])
def test_usernames_follow_one_format(rectify, org, username):
    with rectify.unit_of_work() as uow, pytest.raises(InvalidInput) as refused:
        accounts.create_user(uow.session, username, "Someone", "a-long-secret-pw", ["handler"],
                             org.group_a)
    assert set(refused.value.errors) == {"username"}


def test_every_field_error_is_reported_at_once(rectify, org):
    with rectify.unit_of_work() as uow, pytest.raises(InvalidInput) as refused:
        accounts.create_user(uow.session, "bad name", "", "short", ["wizard"], None, "fr")
    assert set(refused.value.errors) == {"username", "display_name", "password", "roles",
                                         "unit", "language"}


# --- the last admin --------------------------------------------------------------------------


def change(rectify: Any, user_id: int, actor: Any = None, **fields: Any) -> None:
    with rectify.unit_of_work() as uow:
        user = uow.session.get(User, user_id)
        accounts.update_user(uow, actor or admin_of(uow), user, UserChange(**fields))


def admin_of(uow: Any) -> User:
    admin = uow.session.scalar(select(User).where(User.username == "admin"))
    assert admin is not None
    return admin


@pytest.mark.parametrize(("fields", "field"), [({"roles": ["supervisor"]}, "roles"),
                                               ({"active": False}, "active")])
def test_the_last_active_admin_can_be_neither_demoted_nor_deactivated(rectify, org, fields, field):
    with pytest.raises(InvalidInput) as refused:
        change(rectify, org.admin.id, **fields)
    assert set(refused.value.errors) == {field}
    assert "last active admin" in refused.value.errors[field]["en"]
    after = reload(rectify, org.admin.id)
    assert (after.active, after.roles) == (True, "admin")


def test_an_inactive_admin_does_not_count_and_a_second_active_one_does(rectify, org):
    change(rectify, org.supervisor.id, roles=["supervisor", "admin"], active=False)
    with pytest.raises(InvalidInput):
        change(rectify, org.admin.id, roles=["supervisor"])
    change(rectify, org.supervisor.id, active=True)
    change(rectify, org.admin.id, roles=["supervisor"])  # now the supervisor is an admin too
    assert reload(rectify, org.admin.id).roles == "supervisor"


# --- session versions ------------------------------------------------------------------------


@pytest.mark.parametrize(("fields", "bumps"), [
    ({"password": "another-long-secret"}, True),
    ({"roles": ["handler", "reviewer"]}, True),
    ({"roles": ["handler"]}, False),
    ({"active": False}, True),
    ({"display_name": "新名字", "language": "en"}, False),
])
def test_changes_that_end_sessions_bump_the_version(rectify, org, fields, bumps):
    before = reload(rectify, org.handler_b.id).session_version
    change(rectify, org.handler_b.id, **fields)
    assert reload(rectify, org.handler_b.id).session_version == before + int(bumps)


def test_a_unit_change_bumps_the_version(rectify, org):
    with rectify.unit_of_work() as uow:
        user = uow.session.get(User, org.handler_b.id)
        unit = uow.session.merge(org.sub_b1)
        accounts.update_user(uow, admin_of(uow), user, UserChange(unit=unit))
    assert reload(rectify, org.handler_b.id).session_version == 1


def test_changing_ones_own_password_needs_the_current_one(rectify, org):
    with rectify.unit_of_work() as uow, pytest.raises(InvalidInput) as refused:
        user = uow.session.get(User, org.handler_a.id)
        accounts.change_own_password(uow, user, "not-it", "short")
    assert set(refused.value.errors) == {"current_password", "password"}
