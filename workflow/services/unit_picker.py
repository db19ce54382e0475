"""The unit picker's answers: units matching typed text (ranked), the children of a unit (tree
browsing, BROWSE_LIMIT at a time) and the actor's recent units, each within what the purpose
offers (unit_offer)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from workflow.errors import InvalidInput
from workflow.models import Event, Finding, Unit
from workflow.services.scope import sees_everything
from workflow.services.search import search_text
from workflow.services.unit_offer import Offer
from workflow.services.units import CODE
from workflow.text import as_id

LIMIT = 20  # answers per request
BROWSE_LIMIT = 50  # a unit's children per request; the rest follow from an offset
MAX_OFFSET = 1_000_000
RECENT = 5  # recent units offered first
MAX_TERMS = 4  # words of a query that count
_ANCESTORS = 30  # matching units whose subtrees also match (the path search)
_RECENT_EVENTS = 200  # the actor's latest events looked at for recent units
_NO_UNIT = {"zh": "单位不存在或不在您的范围内。", "en": "There is no such unit within your scope."}
_BAD_OFFSET = {"zh": "应为 0 到 1000000 的整数。", "en": "Enter a whole number from 0 to 1000000."}


@dataclass(frozen=True)
class Choice:
    """One unit as the picker shows it: names, the names of its ancestors (its path), whether
    it has children to browse, may be picked, and was used recently by the actor."""

    id: int
    code: str
    names: tuple[str, str]  # zh, en
    path: tuple[tuple[str, str], ...]  # ancestors' (zh, en), root first
    has_children: bool
    selectable: bool
    recent: bool

    def name(self, lang: str) -> str:
        return self.names[0] if lang.startswith("zh") else self.names[1]

    def path_text(self, lang: str) -> str:
        return " / ".join(zh if lang.startswith("zh") else en for zh, en in self.path)


def find_units(session: Session, offer: Offer, raw: object) -> list[Choice]:
    """Units matching the text (each word in the code, a name or an ancestor's name, and one
    word at least in the unit's own), ranked:
    exact code, then code or name prefix, then own text, then a match by ancestors only;
    recent units first within a rank. An empty text: the recent units, then the top units."""
    text = search_text(raw)
    recent = recent_unit_ids(session, offer)
    if not text:
        listed = [u for u in _units(session, offer, Unit.id.in_(recent)) if u.id in recent]
        listed.sort(key=lambda u: recent.index(u.id))
        tops = [u for u in browse(session, offer, None, limit=LIMIT)[0] if u.id not in recent]
        return as_choices(session, offer, (listed + tops)[:LIMIT], recent)
    query = search_query(session, offer, text, recent).limit(LIMIT)
    return as_choices(session, offer, list(session.scalars(query)), recent)


def search_query(session: Session, offer: Offer, text: str,
                 recent: Sequence[int] = ()) -> Select[Unit]:
    """SELECT of the units the offer lists matching a non-empty search text, ranked (see
    find_units), unlimited: the picker takes the first LIMIT, the admin directory pages."""
    terms = text.split()[:MAX_TERMS]
    path_words = terms if len(terms) > 1 else []  # one word: the unit's own text only
    where = and_(or_(*(_own_matches(term) for term in terms)),
                 *(_term_matches(session, term) for term in path_words))
    return (select(Unit).where(offer.visible(), where)
            .order_by(*_rank(text, terms, recent), func.length(Unit.path), Unit.path))


def child_units(session: Session, offer: Offer, raw_parent: object,
                raw_offset: object = None) -> tuple[list[Choice], int | None]:
    """BROWSE_LIMIT of the units directly under a unit the offer lists (none given: the top of
    the tree the actor may browse), from an offset, and the offset of the next ones if more
    follow; InvalidInput naming 'parent' for any other id, 'offset' for a bad offset."""
    parent = listed_unit(session, offer, raw_parent)
    offset = as_offset(raw_offset)
    units, more = browse(session, offer, parent, offset)
    choices = as_choices(session, offer, units, recent_unit_ids(session, offer))
    return choices, offset + len(units) if more else None


def listed_unit(session: Session, offer: Offer, raw: object) -> Unit | None:
    """The unit of an id the offer lists, None for none given (the top); else InvalidInput
    naming 'parent'."""
    if raw in (None, ""):
        return None
    unit_id = as_id(raw)
    parent = session.scalar(select(Unit).where(Unit.id == unit_id, offer.visible())) \
        if unit_id else None
    if parent is None:
        raise InvalidInput({"parent": _NO_UNIT})
    return parent


def as_offset(raw: object) -> int:
    """An offset into a listing: absent is 0; else 0..MAX_OFFSET, or InvalidInput ('offset')."""
    if raw in (None, "", "0", 0):
        return 0
    offset = as_id(raw)
    if offset is None or offset > MAX_OFFSET:
        raise InvalidInput({"offset": _BAD_OFFSET})
    return offset


def browse(session: Session, offer: Offer, parent: Unit | None, offset: int = 0,
           limit: int = BROWSE_LIMIT) -> tuple[list[Unit], bool]:
    """`limit` children of parent from `offset` (in path order), or of the top units: the roots
    (admins, `scope: all` offers) or the actor's own unit; and whether more follow."""
    if parent is not None:
        where: ColumnElement[bool] = Unit.parent_id == parent.id
    elif offer.everywhere or sees_everything(offer.actor):
        where = Unit.parent_id.is_(None)
    else:
        where = Unit.id == offer.actor.unit_id
    query = select(Unit).where(offer.visible(), where).order_by(Unit.path)
    units = list(session.scalars(query.offset(offset).limit(limit + 1)))
    return units[:limit], len(units) > limit


def recent_unit_ids(session: Session, offer: Offer) -> list[int]:
    """The units of the findings the actor acted on last (raised, reassigned, checked...),
    newest first, that the offer lists (at most RECENT)."""
    latest = (select(Event.finding_id).where(Event.actor_id == offer.actor.id)
              .order_by(Event.id.desc()).limit(_RECENT_EVENTS).subquery())
    rows = session.execute(select(Finding.unit_id, func.max(latest.c.finding_id).label("last"))
                           .join(latest, latest.c.finding_id == Finding.id)
                           .group_by(Finding.unit_id).order_by(func.max(latest.c.finding_id).desc()))
    ids = [row.unit_id for row in rows]
    allowed = set(session.scalars(select(Unit.id).where(Unit.id.in_(ids), offer.visible())))
    return [i for i in ids if i in allowed and offer.selectable(i)][:RECENT]


def unit_id_for_code(session: Session, code: str) -> int | None:
    """The id of the unit with this code (the picker's no-script fallback types a code); the
    form that receives the id still checks it."""
    code = code.strip()
    return session.scalar(select(Unit.id).where(Unit.code == code)) if CODE.fullmatch(code) else None


def _units(session: Session, offer: Offer, where: ColumnElement[bool],
           limit: int | None = LIMIT) -> list[Unit]:
    query = select(Unit).where(offer.visible(), where).order_by(Unit.path)
    return list(session.scalars(query.limit(limit) if limit else query))


def _own_matches(term: str) -> ColumnElement[bool]:
    return or_(*(column.icontains(term, autoescape=True)
                 for column in (Unit.code, Unit.name_zh, Unit.name_en)))


def _term_matches(session: Session, term: str) -> ColumnElement[bool]:
    """WHERE clause on Unit: the term is in its code or names, or in an ancestor's names (the
    subtrees of the first _ANCESTORS matching units, shallowest first)."""
    paths = session.scalars(select(Unit.path).where(_own_matches(term))
                            .order_by(func.length(Unit.path)).limit(_ANCESTORS))
    roots: list[str] = []
    for path in paths:
        if not any(path.startswith(root) for root in roots):
            roots.append(path)
    return or_(_own_matches(term), *(Unit.path.startswith(root) for root in roots))


def _rank(text: str, terms: Sequence[str], recent: Sequence[int]) -> list[Any]:
    lowered = text.lower()
    prefix = or_(func.lower(Unit.code).startswith(lowered, autoescape=True),
                 Unit.name_zh.startswith(text, autoescape=True),
                 func.lower(Unit.name_en).startswith(lowered, autoescape=True))
    own = and_(*(_own_matches(term) for term in terms))
    rank = case((func.lower(Unit.code) == lowered, 0), (prefix, 1), (own, 2), else_=3)
    return [rank, case((Unit.id.in_(recent), 0), else_=1)]


def as_choices(session: Session, offer: Offer, units: list[Unit], recent: list[int]) -> list[Choice]:
    """Units as Choices, with their ancestors' names and whether they have children (two
    queries for the lot)."""
    ancestor_ids = {int(p) for u in units for p in u.path.strip("/").split("/")[:-1]}
    names = {row.id: (row.name_zh, row.name_en) for row in session.execute(
        select(Unit.id, Unit.name_zh, Unit.name_en).where(Unit.id.in_(ancestor_ids)))}
    parents = set(session.scalars(select(Unit.parent_id).where(
        Unit.parent_id.in_([u.id for u in units]), offer.visible()).distinct()))
    return [Choice(u.id, u.code, (u.name_zh, u.name_en),
                   tuple(names[int(p)] for p in u.path.strip("/").split("/")[:-1]),
                   u.id in parents, offer.selectable(u.id), u.id in recent) for u in units]
