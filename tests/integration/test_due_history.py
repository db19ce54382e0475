"""The due-date history names a due date the definition gave when raising as the default."""

from __future__ import annotations

from workflow.services.due_history import due_history


def test_a_default_due_date_given_at_raising_is_labelled_default(flow, rectify):
    finding = flow.raise_("immediate")  # immediate@2: raise_effects give today as the due date
    history = due_history(rectify.registry.get("immediate", finding.lifecycle_version),
                          flow.events(finding.id))
    assert [(h.trigger, h.old, h.new, h.kind) for h in history] == [
        ("raise", None, flow.today(), "default")]
