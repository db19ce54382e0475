"""Saved ledger filters: a user names the ledger's current query string and reapplies it later;
each saved query is checked through the ledger's one contract when saved and again when used."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import func, select

from workflow.errors import Forbidden, InvalidInput
from workflow.models import SavedFilter, User
from workflow.services.ledger_args import parse_ledger_args
from workflow.text import TextRefused, clean_text, problem

if TYPE_CHECKING:
    from workflow.runtime import UnitOfWork

MAX_NAME = 40
MAX_PER_USER = 20
MAX_QUERY = 2000
_NAME = {"zh": f"名称应为 1 到 {MAX_NAME} 个字。", "en": f"The name must be 1 to {MAX_NAME} characters."}
_TOO_MANY = {"zh": f"最多保存 {MAX_PER_USER} 个筛选，请先删除不用的。",
             "en": f"You can save at most {MAX_PER_USER} filters: delete one first."}
_QUERY = {"zh": f"筛选条件过长或含有不可用的字符（最多 {MAX_QUERY} 个字）。",
          "en": f"The filter is too long or holds characters not allowed (at most {MAX_QUERY} characters)."}
NOT_YOURS = {"zh": "只能使用或删除自己保存的筛选。",
             "en": "You may use or delete only your own saved filters."}


def saved_filters(uow: UnitOfWork, user: User) -> list[SavedFilter]:
    """The user's saved filters, by name."""
    query = select(SavedFilter).where(SavedFilter.user_id == user.id).order_by(SavedFilter.name)
    return list(uow.session.scalars(query))


def save_filter(uow: UnitOfWork, user: User, name: str, query: str) -> SavedFilter:
    """Save the ledger's query string (its page cursor dropped) under a name; the same name
    again replaces its query. Commits, or InvalidInput naming the field and nothing saved."""
    name = _checked_name(name)
    query = checked_query(uow, query)
    row = uow.session.scalar(select(SavedFilter).where(SavedFilter.user_id == user.id,
                                                       SavedFilter.name == name))
    if row is None:
        count = uow.session.scalar(select(func.count()).where(SavedFilter.user_id == user.id))
        if (count or 0) >= MAX_PER_USER:
            raise InvalidInput({"name": _TOO_MANY})
        row = SavedFilter(user_id=user.id, name=name, query=query)
        uow.session.add(row)
    row.query = query
    uow.commit()
    return row


def saved_query(uow: UnitOfWork, user: User, filter_id: int) -> str | None:
    """The query string of one of the user's saved filters, checked again (the definitions may
    have changed since): InvalidInput naming the bad argument; None if there is no such filter."""
    row = _own(uow, user, filter_id)
    return None if row is None else checked_query(uow, row.query)


def delete_filter(uow: UnitOfWork, user: User, filter_id: int) -> bool:
    """Delete one of the user's saved filters; commits. False if there is no such filter."""
    row = _own(uow, user, filter_id)
    if row is None:
        return False
    uow.session.delete(row)
    uow.commit()
    return True


def checked_query(uow: UnitOfWork, query: str) -> str:
    """The query string without its cursor, if the ledger's contract accepts it."""
    if len(query) > MAX_QUERY or problem(query) is not None:
        raise InvalidInput({"query": _QUERY})
    pairs = [(k, v) for k, v in parse_qsl(query.lstrip("?")) if k != "cursor"]
    if any(problem(key + value) for key, value in pairs):  # a NUL or lone surrogate encoded
        raise InvalidInput({"query": _QUERY})
    values = {key: [v for k, v in pairs if k == key] for key, _ in pairs}
    parse_ledger_args({key: (given if key == "state" else given[-1])
                       for key, given in values.items()}, uow.registry, uow.now(), uow.zone)
    return urlencode(pairs)


def _checked_name(name: str) -> str:
    try:
        name = clean_text(name, required=True).strip()
    except TextRefused as refused:
        raise InvalidInput({"name": refused.message}) from None
    if not 1 <= len(name) <= MAX_NAME:
        raise InvalidInput({"name": _NAME})
    return name


def _own(uow: UnitOfWork, user: User, filter_id: int) -> SavedFilter | None:
    row = uow.session.get(SavedFilter, filter_id)
    if row is not None and row.user_id != user.id:
        raise Forbidden("This saved filter is another user's.", NOT_YOURS)
    return row
