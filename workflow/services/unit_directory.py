"""The admin's units directory: one level of the tree (the top, or a unit's children) or a
search, PAGE_SIZE units a page, with the path to the opened unit; never the whole tree."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.models import Unit, User
from workflow.services.paging import page_number
from workflow.services.search import search_text
from workflow.services.unit_offer import Offer
from workflow.services.unit_picker import Choice, as_choices, browse, listed_unit, search_query

PAGE_SIZE = 50


@dataclass(frozen=True)
class DirectoryPage:
    """Units listed (at most PAGE_SIZE), each with its Choice (its ancestors' names, whether it
    has children), the unit opened (None: the top, or a search) and its ancestors root first
    (the breadcrumb, ending with it), the search text, the page (from 1) and whether another
    page follows."""

    rows: list[tuple[Unit, Choice]]
    opened: Unit | None
    trail: list[Unit]
    text: str
    page: int
    more: bool


def unit_directory(session: Session, actor: User, raw_parent: object = None,
                   raw_text: object = None, raw_page: object = None) -> DirectoryPage:
    """A page of the directory: the units matching the text (the picker's search), else the
    children of the unit `raw_parent` (else the top); every unit in the actor's scope,
    deactivated ones too. InvalidInput naming 'q', 'parent' or 'page'."""
    offer = Offer(actor, active_only=False)
    text, page = search_text(raw_text), page_number(raw_page)
    offset = (page - 1) * PAGE_SIZE
    opened = None if text else listed_unit(session, offer, raw_parent)
    if text:
        found = list(session.scalars(search_query(session, offer, text)
                                     .offset(offset).limit(PAGE_SIZE + 1)))
        units, more = found[:PAGE_SIZE], len(found) > PAGE_SIZE
    else:
        units, more = browse(session, offer, opened, offset, PAGE_SIZE)
    rows = list(zip(units, as_choices(session, offer, units, []), strict=True))
    return DirectoryPage(rows, opened, _trail(session, offer, opened), text, page, more)


def _trail(session: Session, offer: Offer, opened: Unit | None) -> list[Unit]:
    """The opened unit and the units above it that the actor sees, root first."""
    if opened is None:
        return []
    ids = [int(p) for p in opened.path.strip("/").split("/")]
    found = {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_(ids),
                                                                  offer.visible()))}
    return [found[i] for i in ids if i in found]
