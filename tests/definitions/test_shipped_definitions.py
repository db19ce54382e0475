"""Every shipped definition loads, and each lifecycle has the states and transitions the product needs."""

from __future__ import annotations

from pathlib import Path

import pytest

from workflow.spec import Lifecycle, Registry, TransitionSpec, load_file

SHIPPED = sorted(path for path in (Path(__file__).resolve().parents[2] / "definitions").glob("*.y*ml")
                 if path.name != "unit_kinds.yaml")  # tests/definitions/test_unit_kinds_file.py


def _only(lc: Lifecycle, trigger: str) -> TransitionSpec:
    found = [t for t in lc.transitions if t.trigger == trigger]
    assert len(found) == 1, f"{lc.key}: expected one '{trigger}' transition, found {len(found)}"
    return found[0]


def test_definitions_are_shipped() -> None:
    assert [p.name for p in SHIPPED] == [
        "escalation.v1.yaml", "escalation.v2.yaml", "escalation.v3.yaml", "immediate.v1.yaml",
        "immediate.v2.yaml", "standard.v1.yaml", "standard.v2.yaml", "standard.v3.yaml",
        "suggestion.v1.yaml", "suggestion.v2.yaml",
    ]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_each_shipped_file_loads_without_problems(path: Path) -> None:
    lifecycle, problems = load_file(path)
    assert problems == []
    assert lifecycle is not None
    # One file per lifecycle version, named after it.
    assert path.name == f"{lifecycle.name}.v{lifecycle.version}.yaml"
    assert len(lifecycle.digest) == 64


def test_registry_holds_every_lifecycle(registry: Registry) -> None:
    assert [lc.key for lc in registry.all()] == [
        "escalation@1", "escalation@2", "escalation@3", "immediate@1", "immediate@2",
        "standard@1", "standard@2", "standard@3", "suggestion@1", "suggestion@2",
    ]
    assert registry.get("standard") is registry.get("standard", 3)  # the newest version
    assert registry.get("standard", 1).version == 1


@pytest.mark.parametrize("key", ["escalation@1", "escalation@2", "escalation@3", "immediate@1",
                                 "immediate@2", "standard@1", "standard@2", "standard@3",
                                 "suggestion@1", "suggestion@2"])
def test_no_transition_leaves_a_final_state(registry: Registry, key: str) -> None:
    name, version = key.split("@")
    lc = registry.get(name, int(version))
    loops = {}
    for state in lc.final_states():
        for transition in lc.transitions_from(state):  # only a look-back, which stays put
            assert transition.dest_from(state) == state, f"{transition.trigger} leaves {state}"
            loops[state] = transition.trigger
    assert loops == ({"closed": "look_back"} if key in ("standard@2", "standard@3") else {})
    assert lc.final_states(), "a lifecycle must be able to end"


@pytest.mark.parametrize("name", ["escalation", "immediate", "standard", "suggestion"])
def test_every_lifecycle_can_be_withdrawn_by_an_inspector(registry: Registry, name: str) -> None:
    lc = registry.get(name)
    withdraw = _only(lc, "withdraw")
    assert lc.initial in withdraw.sources
    assert lc.is_final(withdraw.dest)
    assert "inspector" in withdraw.roles
    reason = withdraw.field("reason")
    assert reason is not None and reason.required and reason.type == "text"


def test_standard_states(registry: Registry) -> None:
    assert [s.name for s in registry.get("standard", 1).states] == [
        "raised", "assigned", "extension_requested", "rectified", "revisited",
        "closed", "withdrawn", "waived",
    ]
    lc = registry.get("standard")
    assert lc.initial == "raised"
    assert [s.name for s in lc.states] == [  # v2: the unit may ask for a waiver (容错)
        "raised", "assigned", "extension_requested", "rectified", "waiver_requested",
        "revisited", "closed", "withdrawn", "waived",
    ]
    assert lc.final_states() == ("closed", "withdrawn", "waived")
    assert lc.state("revisited").en == "Revisited"
    assert lc.raise_roles == ("inspector",)


def test_standard_happy_path(registry: Registry) -> None:
    lc = registry.get("standard")
    path = [("raised", "assign"), ("assigned", "report_rectification"), ("rectified", "revisit"),
            ("revisited", "confirm")]
    state = lc.initial
    for source, trigger in path:
        assert state == source
        transition = lc.transition(state, trigger)
        assert transition is not None, f"no '{trigger}' from '{state}'"
        state = transition.dest_from(state)
    assert state == "closed"


def test_standard_assign_sets_requirement_and_due_date(registry: Registry) -> None:
    assign = _only(registry.get("standard", 1), "assign")
    assert [(f.name, f.type, f.required) for f in assign.fields] == [
        ("requirement", "text", True), ("due_date", "date", True),
    ]
    assert [(e.name, dict(e.params)) for e in assign.effects] == [
        ("set_requirement", {"field": "requirement"}), ("set_due_date", {"field": "due_date"}),
    ]
    # v2: the due date may be left out (the default by severity), the unit owes a 签收.
    assign = _only(registry.get("standard", 2), "assign")
    assert [(f.name, f.type, f.required) for f in assign.fields] == [
        ("requirement", "text", True), ("due_date", "date", False),
    ]
    assert [(e.name, dict(e.params)) for e in assign.effects] == [
        ("set_requirement", {"field": "requirement"}), ("set_due_date", {"field": "due_date"}),
        ("default_due_date", {}), ("await_acknowledgement", {}),
        ("notify", {"to": "unit_handlers"}),
    ]


def test_standard_report_needs_evidence_from_the_handler(registry: Registry) -> None:
    report = _only(registry.get("standard"), "report_rectification")
    assert report.roles == ("handler",)
    evidence = report.field("evidence")
    assert evidence is not None and evidence.type == "files" and evidence.min_count == 1
    assert [e.name for e in report.effects] == [
        "acknowledge", "record_rectified_at", "set_review_due_date", "notify"]
    assert [e.name for e in _only(registry.get("standard", 1), "report_rectification").effects] \
        == ["record_rectified_at"]


def test_standard_confirm_is_closed_by_someone_else_than_the_reporter(registry: Registry) -> None:
    confirm = _only(registry.get("standard"), "confirm")
    assert (confirm.sources, confirm.dest) == (("revisited",), "closed")
    assert [(g.name, dict(g.params)) for g in confirm.guards] == [
        ("actor_did_not_fire", {"trigger": "report_rectification"}),
        ("parts_done", {}),  # v3: and every co-responsible unit has reported its part
        ("children_closed", {}),  # v3: a parent closes after its child findings
    ]
    assert "handler" not in confirm.roles


def test_standard_reject_counts_a_rework_and_requires_a_reason(registry: Registry) -> None:
    reject = _only(registry.get("standard"), "reject")
    assert (reject.sources, reject.dest) == (("revisited",), "assigned")
    assert "count_rework" in [e.name for e in reject.effects]
    reason = reject.field("reason")
    assert reason is not None
    assert (reason.type, reason.required) == ("text", True)
    assert reason.min_length is not None and reason.min_length >= 1


@pytest.mark.parametrize("version", [1, 2])
def test_standard_extension_round_trip(registry: Registry, version: int) -> None:
    lc = registry.get("standard", version)
    notify = ["notify"] if version == 2 else []  # v2 tells the people concerned
    request = _only(lc, "request_extension")
    assert (request.sources, request.dest, request.roles) == (
        ("assigned",), "extension_requested", ("handler",))
    assert [g.name for g in request.guards] == ["date_after_due_date"]
    assert [e.name for e in request.effects] == ["set_pending_due_date", *notify, *notify]
    approve, deny = _only(lc, "approve_extension"), _only(lc, "deny_extension")
    for decision in (approve, deny):
        assert (decision.sources, decision.dest, decision.roles) == (
            ("extension_requested",), "assigned", ("supervisor",))
    assert [e.name for e in approve.effects] == ["apply_pending_due_date", *notify]
    assert [e.name for e in deny.effects] == ["clear_pending_due_date", *notify]


@pytest.mark.parametrize("version", [1, 2])
def test_standard_reassign_keeps_the_state(registry: Registry, version: int) -> None:
    lc = registry.get("standard", version)
    reassign = _only(lc, "reassign")
    assert reassign.sources == ("raised", "assigned")
    assert reassign.dest_from("raised") == "raised"
    assert reassign.dest_from("assigned") == "assigned"
    # v2 uses the guard's newer name (same check) and makes the new unit acknowledge.
    guard, effects = (("unit_not_the_actors", ["reassign_unit"]) if version == 1 else
                      ("unit_below_raising_body", ["reassign_unit", "await_acknowledgement",
                                                   "notify"]))
    assert [g.name for g in reassign.guards] == ["unit_differs", guard]
    assert [e.name for e in reassign.effects] == effects


def test_standard_withdraw_is_for_open_findings_before_the_check(registry: Registry) -> None:
    withdraw = _only(registry.get("standard"), "withdraw")
    assert withdraw.dest == "withdrawn"
    assert "raised" in withdraw.sources and "revisited" not in withdraw.sources


def test_standard_waive_is_supervisor_only_and_justified(registry: Registry) -> None:
    lc = registry.get("standard")
    waive = _only(lc, "waive")
    assert waive.roles == ("supervisor",)
    assert waive.dest == "waived" and lc.is_final("waived")
    assert "raised" not in waive.sources  # nothing to waive before it is assigned
    justification = waive.field("justification")
    assert justification is not None and justification.required
    assert justification.min_length is not None and justification.min_length >= 10


def test_immediate_reject_on_spot_counts_rework(registry: Registry) -> None:
    lc = registry.get("immediate")
    assert lc.final_states() == ("closed", "withdrawn")
    reject = _only(lc, "reject_on_spot")
    assert (reject.sources, reject.dest) == (("fixed",), "raised")
    assert [e.name for e in reject.effects] == ["count_rework"]
    assert _only(lc, "verify_on_spot").dest == "closed"


def test_escalation_goes_up_and_comes_back(registry: Registry) -> None:
    lc = registry.get("escalation")
    assert _only(lc, "escalate").dest == "escalated"
    accept = _only(lc, "accept_escalation")
    assert (accept.dest, accept.roles) == ("coordinating", ("supervisor",))
    assert _only(lc, "complete_coordination").dest == "assigned"
    assert _only(lc, "decline_escalation").dest == "assigned"
    reject = _only(lc, "reject")
    assert (reject.sources, reject.dest) == (("rectified",), "assigned")
    assert "count_rework" in [e.name for e in reject.effects]


def test_suggestion_is_adopted_or_declined(registry: Registry) -> None:
    lc = registry.get("suggestion")
    assert lc.initial == "proposed"
    assert set(lc.raise_roles) == {"inspector", "supervisor"}
    assert {t.trigger: t.dest for t in lc.transitions_from("proposed")} == {
        "adopt": "adopted", "decline": "not_adopted", "withdraw": "withdrawn",
    }
    assert _only(lc, "report_implementation").dest == "implemented"
    assert set(lc.final_states()) == {"implemented", "not_adopted", "withdrawn"}
    # its outcomes tell the statistics it is no problem: implemented is not 销号
    assert {s.name: s.outcome for s in lc.states if s.final} == {
        "implemented": "implemented", "not_adopted": "declined", "withdrawn": "excluded"}


@pytest.mark.parametrize("name", ["escalation", "immediate", "standard", "suggestion"])
def test_machine_has_exactly_the_declared_triggers(registry: Registry, name: str) -> None:
    lc = registry.get(name)
    assert sorted(lc.machine.events) == sorted({t.trigger for t in lc.transitions})
