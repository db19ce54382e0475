"""Use cases of the engine; each runs inside one unit of work that the caller opens.

Transaction policy, one for every face (pages, API, CLI): a use case that writes takes the
UnitOfWork first, checks who may and what is valid, writes, and commits it itself
(`raise_finding`, `fire`, `units.add_unit`, `accounts.login`, `evidence.upload`, ...); if it
raises, nothing was committed and the unit of work rolls back on leaving. Views and commands
never commit (tests/unit/test_layering.py checks web/). Read-only queries take the session and
never commit. Functions that write trusted data without checks (`create_unit`, `create_user`,
..., for the demo and fixtures) leave the commit to their caller, who is not a view."""

from workflow.services.firing import (
    available_transitions,
    check_fire,
    fire,
    get_finding,
    history,
    may_fire,
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
    "may_fire",
    "overdue_clause",
    "raise_finding",
    "verify_all",
]
