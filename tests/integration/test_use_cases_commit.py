"""Every use case that writes commits itself: called in a unit of work that is left without a
commit (as a view leaves it), its write is in the database; a refusal writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD
from workflow.errors import Forbidden, InvalidInput
from workflow.models import ApiToken, Attachment, User
from workflow.runtime import Rectify, UnitOfWork
from workflow.services import accounts, evidence, tokens
from workflow.services.accounts import UserChange

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _user(uow: UnitOfWork, username: str) -> User:
    user = uow.session.scalar(select(User).where(User.username == username))
    assert user is not None
    return user


def _run(rectify: Rectify, action: Callable[[UnitOfWork], Any]) -> Any:
    """The action in a unit of work that rolls back on leaving (nobody else commits)."""
    with rectify.unit_of_work() as uow:
        return action(uow)


def _read(rectify: Rectify, query: Any) -> Any:
    with rectify.unit_of_work(write=False) as uow:
        return uow.session.scalar(query)


def _token_of(rectify: Rectify, username: str) -> str:
    return _run(rectify, lambda uow: tokens.issue_token(uow, _user(uow, username), "t"))


def _live_id(uow: UnitOfWork, token: str) -> int:
    row = tokens.live_token(uow.session, token, uow.now())
    assert row is not None
    return row.id


def test_a_refused_login_is_still_recorded(rectify: Rectify, org: Any) -> None:
    result = _run(rectify, lambda uow: accounts.login(uow, "inspector", "wrong-password"))
    assert result.user is None
    assert _read(rectify, select(User.failed_logins).where(User.username == "inspector")) == 1


def test_login_logout_language_and_password_commit(rectify: Rectify, org: Any) -> None:
    assert _run(rectify, lambda uow: accounts.login(uow, "inspector", PASSWORD)).user is not None
    _run(rectify, lambda uow: accounts.log_out_everywhere(uow, _user(uow, "inspector")))
    _run(rectify, lambda uow: accounts.set_language(uow, _user(uow, "inspector"), "en"))
    _run(rectify, lambda uow: accounts.change_own_password(uow, _user(uow, "inspector"), PASSWORD,
                                                           "a-fresh-long-secret"))
    with rectify.unit_of_work(write=False) as uow:
        row = _user(uow, "inspector")
        assert (row.session_version, row.language) == (2, "en")
        assert accounts.password_matches(row, "a-fresh-long-secret")


def test_a_wrong_language_is_a_field_error(rectify: Rectify, org: Any) -> None:
    with pytest.raises(InvalidInput) as refused:
        _run(rectify, lambda uow: accounts.set_language(uow, _user(uow, "inspector"), "fr"))
    assert set(refused.value.errors) == {"language"}


def test_adding_and_changing_users_commit(rectify: Rectify, org: Any) -> None:
    def add(uow: UnitOfWork) -> User:
        return accounts.add_user(uow, _user(uow, "admin"), "newcomer", "Newcomer",
                                 "a-long-secret-pw", ["handler"], uow.session.merge(org.group_a))

    _run(rectify, add)
    _run(rectify, lambda uow: accounts.update_user(uow, _user(uow, "admin"),
                                                   _user(uow, "newcomer"),
                                                   UserChange(display_name="Renamed")))
    assert _read(rectify, select(User.display_name).where(User.username == "newcomer")) == "Renamed"


def test_only_admins_add_or_change_users(rectify: Rectify, org: Any) -> None:
    with pytest.raises(Forbidden):
        _run(rectify, lambda uow: accounts.add_user(
            uow, _user(uow, "supervisor"), "newcomer", "Newcomer", "a-long-secret-pw",
            ["admin"], uow.session.merge(org.group_a)))
    with pytest.raises(Forbidden):
        _run(rectify, lambda uow: accounts.update_user(
            uow, _user(uow, "supervisor"), _user(uow, "supervisor"), UserChange(roles=["admin"])))
    assert _read(rectify, select(func.count()).where(User.username == "newcomer")) == 0
    assert _read(rectify, select(User.roles).where(User.username == "supervisor")) == "supervisor"


def test_issuing_using_and_revoking_tokens_commit(rectify: Rectify, org: Any) -> None:
    first, second = _token_of(rectify, "inspector"), _token_of(rectify, "inspector")
    row_id = _run(rectify, lambda uow: _live_id(uow, first))
    assert _run(rectify, lambda uow: tokens.record_use(uow, row_id, uow.now())) is True
    assert _read(rectify, select(ApiToken.last_used_at).where(ApiToken.id == row_id)) is not None
    assert _run(rectify, lambda uow: tokens.revoke_token(uow, first)) is True
    second_id = _run(rectify, lambda uow: _live_id(uow, second))
    assert _run(rectify, lambda uow: tokens.revoke_own_token(uow, _user(uow, "inspector"),
                                                             second_id)) is True
    live = select(func.count()).where(ApiToken.revoked_at.is_(None))
    assert _read(rectify, live) == 0


def test_an_upload_is_kept_though_nobody_else_commits(rectify: Rectify, org: Any) -> None:
    _run(rectify, lambda uow: evidence.upload(uow, _user(uow, "handler_a"), PNG, "a.png"))
    assert _read(rectify, select(Attachment.original_name)) == "a.png"


def test_a_username_taken_at_the_same_moment_is_a_field_error(rectify: Rectify, org: Any,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Both admins passed the 'is it free?' check; the database's unique key decides."""
    def add(uow: UnitOfWork) -> User:
        return accounts.add_user(uow, _user(uow, "admin"), "twin", "Twin", "a-long-secret-pw",
                                 ["handler"], uow.session.merge(org.group_a))

    _run(rectify, add)
    monkeypatch.setattr(accounts, "username_errors", lambda session, username: {})
    with pytest.raises(InvalidInput) as refused:
        _run(rectify, add)
    assert refused.value.errors["username"]["en"] == "This username is taken."
    assert _read(rectify, select(func.count()).where(User.username == "twin")) == 1
