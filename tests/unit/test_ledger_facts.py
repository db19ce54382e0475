"""The facts of a finding's history kept on its row (services.ledger_facts): what each event
changes of them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from workflow.services.ledger_facts import EMPTY_FACTS, facts_after

AT = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def folded(*events: tuple[str, int, dict[str, Any]]) -> dict[str, Any]:
    facts = dict(EMPTY_FACTS)
    for n, (trigger, actor, payload) in enumerate(events):
        facts.update(facts_after(facts["due_changes"], trigger, actor, payload,
                                 AT.replace(minute=n)))
    return facts


def test_the_latest_measures_reported_stay_until_others_are():
    facts = folded(("raise", 1, {}), ("report", 2, {"measures": "First"}),
                   ("reject", 3, {"reason": "No"}), ("report", 2, {"measures": ""}),
                   ("report", 2, {"measures": ["not text"]}))
    assert facts["measures_reported"] == "First"
    assert folded(("report", 2, {"measures": "First"}),
                  ("report", 2, {"measures": "Second"}))["measures_reported"] == "Second"


def test_each_due_date_change_is_one_entry_with_its_step_and_whether_a_date_was_given():
    facts = folded(("raise", 1, {"due_date_change": [None, "2026-03-10"], "due_date": "2026-03-10"}),
                   ("assign", 1, {"requirement": "Fix"}),
                   ("reject", 3, {"due_date_change": ["2026-03-10", "2026-03-24"]}),
                   ("waive", 3, {"due_date_change": ["2026-03-24", None]}))
    assert json.loads(facts["due_changes"]) == [
        ["2026-03-10", "raise", True], ["2026-03-24", "reject", False], [None, "waive", False]]


def test_a_raise_of_old_with_only_its_due_date_is_a_date_set():
    """Older raise events carry `due_date` without `due_date_change`: given is None ("set")."""
    facts = folded(("raise", 1, {"due_date": "2026-03-10"}), ("assign", 1, {"due_date": "x"}))
    assert json.loads(facts["due_changes"]) == [["2026-03-10", "raise", None]]


def test_a_remark_is_not_the_last_action():
    facts = folded(("raise", 1, {}), ("assign", 4, {}), ("comment", 5, {"text": "On it"}),
                   ("comment_edit", 5, {"text": "On it now"}))
    assert (facts["last_action_trigger"], facts["last_action_by_id"],
            facts["last_action_at"]) == ("assign", 4, AT.replace(minute=1))
    assert folded(("comment", 5, {}))["last_action_trigger"] == ""
