"""The ledger as pages, API, exports and the CLI run it: as of today, or of a past moment."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from workflow.models import Finding, User
from workflow.services.ledger import LedgerFilter, Page, ledger, ledger_total
from workflow.services.light import yellow_cutoff

if TYPE_CHECKING:
    from workflow.runtime import UnitOfWork

COUNT_CAP = 1000  # the ledger page counts this many at most, then says "more than 1,000"


def ledger_day(uow: UnitOfWork, flt: LedgerFilter) -> date:
    """The day overdue and the lights are judged on: today, or the as-of moment's local day."""
    return flt.as_of.astimezone(uow.zone).date() if flt.as_of else uow.today()


def read_ledger(uow: UnitOfWork, actor: User, flt: LedgerFilter, cursor: str | None = None,
                limit: int = 50) -> Page:
    """One page of services.ledger.ledger, on ledger_day and its yellow cutoff."""
    day = ledger_day(uow, flt)
    return ledger(uow.session, actor, flt, day, cursor, limit,
                  yellow_cutoff(day, uow.calendar, uow.light_policy), uow.registry, uow.zone)


@dataclass(frozen=True)
class LedgerCount:
    """How many findings the filter lists: exactly `n`, or, when `more`, more than `n`."""

    n: int
    more: bool = False


def count_ledger(uow: UnitOfWork, actor: User, flt: LedgerFilter, first_page: Page | None = None,
                 cap: int | None = None) -> LedgerCount:
    """How many findings the filter lists on ledger_day (every page together), counted up to
    `cap`: an exact count reads every matching row, which grows with the ledger. first_page:
    the list's first page, when read; if it is the only page, its rows are the count."""
    cap = COUNT_CAP if cap is None else cap
    if first_page is not None and first_page.next_cursor is None:
        return LedgerCount(len(first_page.items))
    day = ledger_day(uow, flt)
    n = ledger_total(uow.session, actor, flt, day,
                     yellow_cutoff(day, uow.calendar, uow.light_policy), uow.registry, uow.zone,
                     cap)
    return capped_count(n, cap)


def capped_count(n: int, cap: int = COUNT_CAP) -> LedgerCount:
    """A count read up to cap + 1 rows (LIMIT cap + 1): above cap, it is "more than cap"."""
    return LedgerCount(cap, more=True) if n > cap else LedgerCount(n)


def every_finding(uow: UnitOfWork, actor: User, flt: LedgerFilter) -> Iterator[Finding]:
    """Every finding the filter lists, page after page (exports and the CLI)."""
    cursor = None
    while True:
        page = read_ledger(uow, actor, flt, cursor, limit=500)
        yield from page.items
        cursor = page.next_cursor
        if cursor is None:
            return
