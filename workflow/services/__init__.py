"""Use cases of the engine; each runs inside one unit of work that the caller opens."""

from workflow.services.firing import (
    available_transitions,
    check_fire,
    fire,
    get_finding,
    history,
)
from workflow.services.ledger import LedgerFilter, Page, is_overdue, ledger, overdue_clause
from workflow.services.raising import RAISE_FIELDS, raise_finding
from workflow.services.verify import verify_all

__all__ = [
    "RAISE_FIELDS",
    "LedgerFilter",
    "Page",
    "available_transitions",
    "check_fire",
    "fire",
    "get_finding",
    "history",
    "is_overdue",
    "ledger",
    "overdue_clause",
    "raise_finding",
    "verify_all",
]
