"""The global search: findings, units, people and letters matching a text, each within scope."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload

from workflow.errors import InvalidInput
from workflow.models import Finding, Letter, Unit, User
from workflow.services.ledger import LedgerFilter
from workflow.services.ledger_view import read_ledger
from workflow.services.letter_scope import letters_clause
from workflow.services.scope import findings_clause, units_clause
from workflow.services.system import USERNAME as SYSTEM_USERNAME
from workflow.services.text_search import fields_clause
from workflow.text import TextRefused, clean_text

if TYPE_CHECKING:
    from workflow.runtime import UnitOfWork

GROUP_LIMIT = 20  # rows shown per group; `more` says there are others
MAX_QUERY = 100
_TOO_LONG = {"zh": f"搜索词最多 {MAX_QUERY} 字。", "en": f"Enter at most {MAX_QUERY} characters."}
Row = TypeVar("Row")


@dataclass
class Group(Generic[Row]):
    """Up to GROUP_LIMIT rows of one kind; more: whether others match too."""

    rows: list[Row] = field(default_factory=list)
    more: bool = False


@dataclass
class SearchResults:
    """What a search found, per kind; `exact` is the finding whose code is the query itself."""

    query: str = ""
    exact: Finding | None = None
    findings: Group[Finding] = field(default_factory=Group)
    units: Group[Unit] = field(default_factory=Group)
    people: Group[User] = field(default_factory=Group)
    letters: Group[Letter] = field(default_factory=Group)


def search_text(raw: object) -> str:
    """The query, stripped, through the one text rule; InvalidInput naming 'q' otherwise."""
    text = raw if isinstance(raw, str) else ""
    try:
        text = clean_text(text).strip()
    except TextRefused as refused:
        raise InvalidInput({"q": refused.message}) from None
    if len(text) > MAX_QUERY:
        raise InvalidInput({"q": _TOO_LONG})
    return text


def search(uow: UnitOfWork, actor: User, raw: object) -> SearchResults:
    """Everything matching the query that the actor may see (an empty query finds nothing)."""
    query = search_text(raw)
    if not query:
        return SearchResults()
    session = uow.session
    page = read_ledger(uow, actor, LedgerFilter(text=query), None, GROUP_LIMIT)
    return SearchResults(
        query=query, exact=exact_finding(session, actor, query),
        findings=Group(page.items, page.next_cursor is not None),
        units=_group(session, select(Unit).where(units_clause(actor), fields_clause(
            session, query, Unit.code, Unit.name_zh, Unit.name_en)).order_by(Unit.path)),
        people=_group(session, _people(session, actor, query)),
        letters=_group(session, _letters(session, actor, query)))


def exact_finding(session: Session, actor: User, query: str) -> Finding | None:
    """The finding coded exactly `query` (such as 2026-0012), if the actor may see it."""
    return session.scalar(select(Finding).where(Finding.code == query, findings_clause(actor)))


def _people(session: Session, actor: User, query: str) -> Select[Any]:
    """Users of the units the actor sees (admins: everyone), by username or display name."""
    seen_units = select(Unit.id).where(units_clause(actor))
    return (select(User).options(joinedload(User.unit))
            .where(User.username != SYSTEM_USERNAME, User.unit_id.in_(seen_units),
                   fields_clause(session, query, User.username, User.display_name))
            .order_by(User.username))


def _letters(session: Session, actor: User, query: str) -> Select[Any]:
    """Letters the actor sees, by number or subject, the latest first."""
    return (select(Letter).where(letters_clause(actor), fields_clause(
        session, query, Letter.number, Letter.subject)).order_by(Letter.issued_on.desc(), Letter.id))


def _group(session: Session, query: Select[Any]) -> Group[Any]:
    rows = list(session.scalars(query.limit(GROUP_LIMIT + 1)).unique())
    return Group(rows[:GROUP_LIMIT], len(rows) > GROUP_LIMIT)
