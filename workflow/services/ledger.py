"""The ledger (台账): findings the actor may see, filtered, in keyset-paginated pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.orm import Session, joinedload

from workflow.errors import InvalidInput
from workflow.models import Finding, User
from workflow.services.as_of import as_it_was, findings_as_of
from workflow.services.late import acknowledge_overdue_clause, review_overdue_clause
from workflow.services.ledger_sorts import SORTS, cursor_after, sort_order, sorted_page
from workflow.services.scope import findings_clause, subtree_clause
from workflow.services.stats_kinds import Outcomes, kind_clause, stage_clause
from workflow.services.text_search import text_clause
from workflow.spec import Registry

Colour = Literal["green", "yellow", "red"]
COLOURS: tuple[Colour, ...] = ("green", "yellow", "red")
NOT_AS_OF = ("review_overdue", "acknowledge_overdue", "unacknowledged")  # not rebuilt (as_of)
_NOT_AS_OF_MESSAGE = {"zh": "查看历史时点（截至）时不能按此筛选。",
                      "en": "This filter is not available when viewing the ledger as of a past moment."}


@dataclass(frozen=True)
class LedgerFilter:
    states: tuple[str, ...] = ()
    lifecycle: str | None = None
    unit_id: int | None = None
    unit_only: bool | None = None  # True: unit_id's own findings, not its sub-units'
    campaign_id: int | None = None
    category: str | None = None
    severity: str | None = None
    overdue: bool | None = None
    review_overdue: bool | None = None  # the follow-up check is late (services.late)
    acknowledge_overdue: bool | None = None  # not acknowledged by its 签收 deadline
    open: bool | None = None
    text: str | None = None
    light: Colour | None = None  # the traffic light (services.light), red being overdue
    unacknowledged: bool | None = None  # awaiting the unit's 签收 (unacknowledged_clause)
    sort: str = "-created"
    raised_by: int | None = None  # the user who raised it (the inspector)
    raised_after: datetime | None = None  # raised at or after this moment (UTC)
    raised_before: datetime | None = None  # raised before this moment (UTC)
    kind: str | None = None  # problem | suggestion (stats_kinds), with outcomes
    stage: str | None = None  # one counted figure of the statistics (stats_kinds.STAGES)
    outcomes: Outcomes | None = None  # the registry's, given with kind or stage
    as_of: datetime | None = None  # the ledger as it stood then (services.as_of): aware UTC


@dataclass
class Page:
    items: list[Finding] = field(default_factory=list)
    next_cursor: str | None = None


def overdue_clause(today: date, src: Any = Finding) -> ColumnElement[bool]:
    """Open, past its due date, and not reported rectified (awaiting review doesn't count).

    Never NULL, so that its negation (not overdue) is exactly the rest: undated findings too.
    src: where the columns come from (Finding, or services.as_of's subquery `.c`).
    """
    return and_(src.is_open.is_(True), src.due_date.is_not(None),
                src.due_date < today, src.rectified_at.is_(None))


def is_overdue(finding: Finding, today: date) -> bool:
    """The same rule as overdue_clause, for one loaded finding."""
    return bool(finding.is_open and finding.due_date is not None and finding.due_date < today
                and finding.rectified_at is None)


def unacknowledged_clause() -> ColumnElement[bool]:
    """Open and owing its 签收: assigned with an acknowledgement deadline, not yet signed for.
    Never NULL, so its negation is exactly the rest."""
    return and_(Finding.is_open.is_(True), Finding.acknowledge_due_date.is_not(None),
                Finding.acknowledged_at.is_(None))


def is_unacknowledged(finding: Finding) -> bool:
    """The same rule as unacknowledged_clause, for one loaded finding."""
    return bool(finding.is_open and finding.acknowledge_due_date is not None
                and finding.acknowledged_at is None)


def light_clause(colour: Colour, today: date, yellow_cutoff: date,
                 src: Any = Finding) -> ColumnElement[bool]:
    """One colour of services.light in SQL: red is overdue; yellow and green are the running
    deadlines not yet passed, due by yellow_cutoff (N working days from today) or after it."""
    if colour == "red":
        return overdue_clause(today, src)
    runs = and_(src.is_open.is_(True), src.due_date.is_not(None),
                src.rectified_at.is_(None), src.due_date >= today)
    return and_(runs, src.due_date <= yellow_cutoff if colour == "yellow"
                else src.due_date > yellow_cutoff)


def level_clause(level: int, today: date, src: Any = Finding) -> ColumnElement[bool]:
    """Red at this overdue level or above, agreeing with services.light.red_level (every red
    finding is at level 1 or above; the ladder's column raises it). src: as overdue_clause's."""
    red = overdue_clause(today, src)
    return red if level <= 1 else and_(red, src.overdue_level >= level)


def filtered(session: Session, actor: User, flt: LedgerFilter, today: date,
             yellow_cutoff: date | None = None, registry: Registry | None = None,
             zone: tzinfo = UTC) -> Select[Any]:
    """SELECT of the actor's findings matching the filter, unsorted (yellow_cutoff: see
    light_clause; services.light.today_cutoff). With flt.as_of (which needs the registry) the
    findings raised by then, filtered on their state, unit, due date... as of then (today being
    that moment's day; zone: the organisation's), joined to services.as_of's subquery, selected
    second."""
    src, query = _source(flt, registry, zone)
    return _filter(session, actor, flt, today, yellow_cutoff, src, query)


def _filter(session: Session, actor: User, flt: LedgerFilter, today: date,
            yellow_cutoff: date | None, src: Any, query: Select[Any]) -> Select[Any]:
    query = query.where(findings_clause(actor, src.unit_id))
    if flt.states:
        query = query.where(src.state.in_(flt.states))
    if flt.lifecycle:
        query = query.where(Finding.lifecycle == flt.lifecycle)
    if flt.unit_id is not None:
        query = query.where(src.unit_id == flt.unit_id if flt.unit_only
                            else subtree_clause(session, flt.unit_id, src.unit_id))
    if flt.campaign_id is not None:
        query = query.where(Finding.campaign_id == flt.campaign_id)
    if flt.category:
        query = query.where(Finding.category == flt.category)
    if flt.severity:
        query = query.where(Finding.severity == flt.severity)
    if flt.open is not None:
        query = query.where(src.is_open.is_(flt.open))
    for wanted, late in ((flt.review_overdue, review_overdue_clause),
                         (flt.acknowledge_overdue, acknowledge_overdue_clause)):
        if wanted is not None:
            query = query.where(late(today) if wanted else ~late(today))
    if flt.overdue is not None:
        clause = overdue_clause(today, src)
        query = query.where(clause if flt.overdue else ~clause)
    if flt.unacknowledged is not None:
        clause = unacknowledged_clause()
        query = query.where(clause if flt.unacknowledged else ~clause)
    if flt.light:
        query = query.where(light_clause(flt.light, today, yellow_cutoff or today, src))
    query = query.where(*_statistics_filters(flt, src))
    if flt.text and flt.text.strip():
        query = query.where(text_clause(session, flt.text.strip()))
    return query


def _statistics_filters(flt: LedgerFilter, src: Any) -> list[ColumnElement[bool]]:
    """The filters a statistics figure links with: inspector, period of raising, kind, stage."""
    where = []
    if flt.raised_by is not None:
        where.append(Finding.raised_by_id == flt.raised_by)
    if flt.raised_after is not None:
        where.append(Finding.created_at >= flt.raised_after)
    if flt.raised_before is not None:
        where.append(Finding.created_at < flt.raised_before)
    if flt.outcomes is not None and flt.kind:
        where.append(kind_clause(flt.kind, flt.outcomes, src))
    if flt.outcomes is not None and flt.stage:
        where.append(stage_clause(flt.stage, flt.outcomes, src))
    return where


def ledger_total(session: Session, actor: User, flt: LedgerFilter, today: date,
                 yellow_cutoff: date | None = None, registry: Registry | None = None,
                 zone: tzinfo = UTC, cap: int | None = None) -> int:
    """How many findings the filter selects (every page together); with a cap, counting stops
    after cap + 1 (an answer above cap means "more than cap")."""
    selected = filtered(session, actor, flt, today, yellow_cutoff, registry,
                        zone).with_only_columns(Finding.id)
    if cap is not None:
        selected = selected.limit(cap + 1)
    return int(session.scalar(select(func.count()).select_from(selected.subquery())) or 0)


def _source(flt: LedgerFilter, registry: Registry | None,
            zone: tzinfo) -> tuple[Any, Select[Any]]:
    """Where state, unit, due date... come from: the row, or the findings as of flt.as_of."""
    if flt.as_of is None:
        return Finding, select(Finding)
    refused = [name for name in NOT_AS_OF if getattr(flt, name) is not None]
    if refused:
        raise InvalidInput({name: _NOT_AS_OF_MESSAGE for name in refused})
    if registry is None:
        raise ValueError("the ledger as of a moment needs the registry")
    past = findings_as_of(registry, flt.as_of, zone)
    return PastColumns(past.c), select(Finding, past).join(past, past.c.id == Finding.id)


class PastColumns:
    """The columns of services.as_of's subquery; those it does not rebuild (never changed after
    raising: lifecycle, category, recurrence_of_id...) are the findings table's."""

    def __init__(self, columns: Any) -> None:
        self._columns = columns

    def __getattr__(self, name: str) -> Any:
        try:
            return getattr(self._columns, name)
        except AttributeError:
            return getattr(Finding, name)


def ledger(session: Session, actor: User, flt: LedgerFilter, today: date,
           cursor: str | None = None, limit: int = 50, yellow_cutoff: date | None = None,
           registry: Registry | None = None, zone: tzinfo = UTC) -> Page:
    """One page of the ledger; pass next_cursor back for the next page. With flt.as_of the
    items are unsaved copies of the findings as they stood then (services.as_of.as_it_was),
    and `today` should be that moment's day."""
    if flt.sort not in SORTS:
        raise InvalidInput({"sort": {"zh": f"排序应为 {'、'.join(SORTS)} 之一。",
                                     "en": f"Sort by one of: {', '.join(SORTS)}."}})
    limit = max(1, min(limit, 500))
    src, query = _source(flt, registry, zone)
    query = _filter(session, actor, flt, today, yellow_cutoff, src, query)
    rows = _items(session, _page_query(query, flt, src, cursor, limit + 1), flt.as_of is not None)
    page = Page(items=[finding for finding, _key in rows[:limit]])
    if len(rows) > limit:
        last, key = rows[limit - 1]
        page.next_cursor = cursor_after(key, last.id)
    return page


def _page_query(query: Select[Any], flt: LedgerFilter, src: Any, cursor: str | None,
                rows: int) -> Select[Any]:
    """The filtered query's page of `rows` findings in the sort's order, each with its unit and
    sort key. Today's ledger chooses the page on the narrow rows an index can hold (id and sort
    key: a subtree's findings are ordered from the index (unit_id, created_at, id) alone), then
    reads only the page's rows whole, instead of reading and sorting every matching row whole."""
    if flt.as_of is not None:
        return sorted_page(query.options(joinedload(Finding.unit)), flt.sort, src,
                           cursor).limit(rows)
    chosen = sorted_page(query.with_only_columns(Finding.id), flt.sort, src,
                         cursor).limit(rows).subquery("page")
    return (select(Finding, chosen.c.sort_key).join(chosen, chosen.c.id == Finding.id)
            .options(joinedload(Finding.unit))
            .order_by(*sort_order(flt.sort, Finding, chosen.c.sort_key)))


def _items(session: Session, query: Select[Any], past: bool) -> list[tuple[Finding, Any]]:
    """(finding, its sort key) of each row; as of a moment, the finding as it stood then."""
    found = session.execute(query).unique()
    if not past:
        return [(row[0], row.sort_key) for row in found]
    return [(as_it_was(session, row[0], row._mapping), row.sort_key) for row in found]
