"""Random walks through every lifecycle (hypothesis stateful testing) against an oracle.

Random actors fire random triggers with payloads drawn from each transition's declared fields,
valid or deliberately corrupted, sometimes with a stale expected version. Before each fire the
walk predicts, from the database and the definition alone, what fire() must do: the exact error
class (in fire()'s order: scope, version, trigger, role, payload, guards) or the new state.
After every step: a refusal changed nothing; every finding's state is a state of its
definition and replaying its events reproduces it; the hash chains verify; no standard finding
closed without a 'revisit' before its 'confirm'. Anyone comments now and then: only those who
see the finding may, and a comment moves nothing but the chain. Findings start on the newest
version of their lifecycle, and one standard finding on version 1; a look-back that finds the
problem back raises a linked finding, which joins the walk.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from ledger_facts_support import facts_disagreeing
from sqlalchemy import select

from workflow.chain import verify_chain
from workflow.errors import (
    Forbidden,
    GuardFailed,
    InvalidPayload,
    RectifyError,
    StaleFinding,
    TransitionNotAllowed,
    UnknownFinding,
)
from workflow.models import Finding, FindingParty
from workflow.services import fire, verify_all
from workflow.services.comments import add_comment
from workflow.spec.model import ANNOTATIONS, FieldSpec, TransitionSpec

MISSING = object()
ALPHABET = string.ascii_letters + string.digits + "整改到位情况说明%_"
WORDS = st.text(alphabet=ALPHABET, min_size=1, max_size=12)
DEAD_ENDS = {"withdraw", "waive", "decline"}  # sensible walks take these less often
START_FINDINGS = (("standard", "group_a"), ("standard", "sub_b1"), ("immediate", "sub_a1"),
                  ("escalation", "group_b"), ("suggestion", "sub_a2"), ("standard@1", "sub_a1"))
# Walks seldom get this far by chance: one standard finding starts closed, its look-back due.
CLOSED_FIRST = ("assign", "report_rectification", "revisit", "confirm")


@dataclass
class Attempt:
    """What a step is about to do, and what the oracle says must happen."""

    finding_id: int
    trigger: str
    actor: str
    payload: dict[str, Any]
    expected_version: int | None
    outcome: type[RectifyError] | str  # an error class, or the state it must land in


def text_value(data: st.DataObject, spec: FieldSpec) -> str:
    """Valid text: no surrounding blanks (the engine strips), within the declared lengths."""
    low = max(spec.min_length or 0, 1 if spec.required else 0)
    high = max(low, min(spec.max_length or 60, 60))
    return data.draw(st.text(alphabet=ALPHABET, min_size=low, max_size=high))


class Walk(RuleBasedStateMachine):
    """One example: seven fresh findings, one of each lifecycle (two standard, a standard on
    version 1, a standard driven to closed), then fires."""

    def __init__(self, app, org, flow, clock, uploads, flow_v1) -> None:
        super().__init__()
        self.app, self.org, self.flow, self.clock, self.uploads = app, org, flow, clock, uploads
        self.flow_v1 = flow_v1
        self.findings: list[int] = []
        self.today = flow.today()

    # --- setup and steps ---------------------------------------------------------------------

    @initialize()
    def raise_findings(self) -> None:
        self.clock.set(self.clock.start)  # each example on the same calendar: replays agree
        for key, unit in START_FINDINGS:
            lifecycle, _, version = key.partition("@")
            by = self.org.supervisor if lifecycle == "suggestion" else self.org.inspector
            flow = self.flow_v1 if version == "1" else self.flow
            finding = flow.raise_(lifecycle, by=by, unit=self.org.units[unit].id)
            assert finding.lifecycle_version == (1 if version == "1" else
                                                 self.app.registry.get(lifecycle).version)
            self.findings.append(finding.id)
        closed = self.flow.raise_("standard", unit=self.org.group_b.id).id
        assert self.flow.drive(closed, *CLOSED_FIRST).lookback_due_date is not None
        self.findings.append(closed)

    @rule(data=st.data())
    def fire_something(self, data: st.DataObject) -> None:
        """Anything at all: any trigger, any actor, payloads often corrupted, versions stale."""
        self.attempt(data, sensible=False)

    @rule(data=st.data())
    def fire_sensibly(self, data: st.DataObject) -> None:
        """A transition allowed from here, by someone holding its role (may still fail)."""
        self.attempt(data, sensible=True)

    @rule(data=st.data())
    def comment(self, data: st.DataObject) -> None:
        """Anyone comments on any finding: only those who see it may, and a comment (an
        annotation) moves nothing but the chain; guards, replays and delays ignore it."""
        fid = data.draw(st.sampled_from(self.findings), label="finding")
        actor = data.draw(st.sampled_from(list(self.org.users.values())), label="commenter")
        finding, before = self.flow.finding(fid), self.flow.snapshot(fid)
        try:
            with self.app.unit_of_work() as uow:
                add_comment(uow, actor, fid, data.draw(WORDS, label="comment"))
        except UnknownFinding:
            assert not self.sees_finding(actor, finding)
            assert self.flow.snapshot(fid) == before
            return
        assert self.sees_finding(actor, finding)
        after = self.flow.snapshot(fid)
        assert after["events"] == before["events"] + 1
        # the chain, and where the current stay is split (stats_facts: the same total dwell)
        moved = {"version", "last_seq", "last_hash", "state_since_us", "state_us"}
        assert {k: v for k, v in after["row"].items() if k not in moved} == {
            k: v for k, v in before["row"].items() if k not in moved}

    # --- the oracle --------------------------------------------------------------------------

    def attempt(self, data: st.DataObject, sensible: bool) -> None:
        if data.draw(st.integers(1, 6), label="time passes?") == 1:
            self.clock.advance(days=data.draw(st.integers(0, 40), label="days"), minutes=1)
        fid = data.draw(st.sampled_from(self.findings), label="finding")
        finding = self.flow.finding(fid)
        self.today = self.flow.today()
        lifecycle = self.app.registry.get(finding.lifecycle, finding.lifecycle_version)
        here = lifecycle.transitions_from(finding.state)
        if sensible and data.draw(st.integers(1, 4), label="dead end too?") > 1:
            here = tuple(t for t in here if t.trigger not in DEAD_ENDS) or here

        def mistake(label: str, one_in: int) -> bool:  # each kind of fault now and then
            return not sensible and data.draw(st.integers(1, one_in), label=label) == 1

        if here and not mistake("any trigger?", 4):
            spec: TransitionSpec | None = data.draw(st.sampled_from(here), label="transition")
            assert spec is not None
            trigger = spec.trigger
        else:
            if sensible:
                return  # final: nothing sensible left to do
            names = sorted({t.trigger for t in lifecycle.transitions}) + ["no_such_trigger"]
            trigger = data.draw(st.sampled_from(names), label="trigger")
            spec = lifecycle.transition(finding.state, trigger)
        holders = [u for u in self.org.users.values()
                   if spec and u.role_set & set(spec.roles) and self.sees_finding(u, finding)
                   and self.independent(u, spec, finding)]
        if holders and not mistake("anyone?", 4):
            actor = data.draw(st.sampled_from(holders), label="actor")
        else:
            actor = data.draw(st.sampled_from(list(self.org.users.values())), label="actor")
        declared = spec or next((t for t in lifecycle.transitions if t.trigger == trigger), None)
        fields = declared.fields if declared else ()
        corrupt = mistake("corrupt?", 3)
        payload, values = self.payload(data, fields, actor, corrupt)
        expected_version = data.draw(st.sampled_from([None, finding.version]), label="version")
        if mistake("stale?", 6):
            expected_version = finding.version + data.draw(st.sampled_from([-1, 1]))
        outcome = self.predict(finding, spec, actor, values, corrupt, expected_version)
        self.check(Attempt(fid, trigger, actor.username, payload, expected_version, outcome),
                   actor, finding, spec)

    def unit_of(self, finding):
        return next(u for u in self.org.units.values() if u.id == finding.unit_id)

    @staticmethod
    def sees(actor, unit) -> bool:
        return actor.has_role("admin") or unit.path.startswith(actor.unit.path)

    def sees_finding(self, actor, finding) -> bool:
        """Its unit in the actor's subtree, or one of its parties (v3)."""
        return self.sees(actor, self.unit_of(finding)) or any(
            self.sees(actor, self.unit_by_id(unit_id)) for _, unit_id, _ in self.parties(finding))

    def unit_by_id(self, unit_id):
        return next(u for u in self.org.units.values() if u.id == unit_id)

    @staticmethod
    def parties(finding) -> list[tuple[str, int, bool]]:
        """(role, unit id, part done) read from the audited column: "role:unit[+] ..."."""
        out = []
        for token in (finding.parties or "").split():
            role, _, unit = token.partition(":")
            out.append((role, int(unit.rstrip("+")), unit.endswith("+")))
        return out

    def payload(self, data: st.DataObject, fields: tuple[FieldSpec, ...], actor,
                corrupt: bool) -> tuple[dict[str, Any], dict[str, Any]]:
        """(payload, the values the engine will clean it to) — corrupted in one place if asked."""
        payload: dict[str, Any] = {}
        values: dict[str, Any] = {}
        for spec in fields:
            value, clean = self.valid(data, spec, actor)
            if value is not MISSING:
                payload[spec.name] = value
            if clean is not MISSING:
                values[spec.name] = clean
        if corrupt:
            breakable = [s for s in fields if self.corruption(s) is not None]
            target = data.draw(st.sampled_from([None, *breakable]), label="corrupted field")
            if target is None:
                payload["no_such_field"] = data.draw(WORDS)
            else:
                bad = self.corruption(target)
                assert bad is not None
                payload[target.name] = data.draw(bad, label=f"bad {target.name}")
        return payload, values

    def valid(self, data: st.DataObject, spec: FieldSpec, actor) -> tuple[Any, Any]:
        """A valid raw value for the field and its cleaned value (MISSING when left out)."""
        if not spec.required and spec.type != "files" and data.draw(st.booleans(), "omit?"):
            return MISSING, MISSING
        today = self.today
        if spec.type == "text":
            text = text_value(data, spec)
            return text, (text if text else MISSING)
        if spec.type == "date":
            low = spec.min_days if spec.min_days is not None else -400
            high = spec.max_days if spec.max_days is not None else 400
            day = today + timedelta(days=data.draw(st.integers(low, high)))
            return day.isoformat(), day
        if spec.type == "choice":
            choice = data.draw(st.sampled_from([c.value for c in spec.choices]))
            return choice, choice
        if spec.type == "number":
            low = spec.minimum if spec.minimum is not None else -1000
            high = spec.maximum if spec.maximum is not None else 1000
            number = data.draw(st.integers(int(low), int(high)))
            return number, number
        if spec.type == "unit":
            units = [u for u in self.org.units.values()
                     if spec.unit_scope == "all" or self.sees(actor, u)]
            unit = data.draw(st.sampled_from(units))
            return unit.id, unit
        assert spec.type == "files"
        mine = self.uploads[actor.username]
        high = min(spec.max_count if spec.max_count is not None else 2, len(mine))
        chosen = mine[:data.draw(st.integers(spec.min_count, high))]
        return chosen, (chosen if chosen else MISSING)

    def corruption(self, spec: FieldSpec) -> st.SearchStrategy[Any] | None:
        """Values this field must refuse, whatever else is true."""
        missing = [st.just(None), st.just("   ")] if spec.required else []
        by_type: dict[str, list[st.SearchStrategy[Any]]] = {
            "text": [st.integers(), st.lists(WORDS, min_size=1, max_size=2)],
            "date": [st.just("not a date"), st.just("2026-02-30"), st.integers(1, 10**6)],
            "choice": [st.just("no_such_choice"), st.integers()],
            "number": [st.just("many"), st.just(True), st.just(float("nan"))],
            "unit": [st.just(10**6), st.just("HQ")],
            "files": [st.just(["0" * 64]), st.just([1, 2]), st.just({"a": 1})],
        }
        options = missing + by_type[spec.type]
        if spec.type == "text" and spec.max_length:
            options.append(st.just("x" * (spec.max_length + 1)))
        if spec.type == "date" and spec.max_days is not None:
            options.append(st.integers(spec.max_days + 1, spec.max_days + 100).map(
                lambda days: (self.today + timedelta(days=days)).isoformat()))
        if spec.type == "date" and spec.min_days is not None:
            options.append(st.integers(1, 100).map(
                lambda days: (self.today + timedelta(days=spec.min_days - days)).isoformat()))
        if spec.type == "number" and spec.maximum is not None:
            options.append(st.just(spec.maximum + 1))
        if spec.type == "files" and spec.min_count > 0:
            options.append(st.just([]))
        return st.one_of(options) if options else None

    def predict(self, finding, spec, actor, values, corrupt, expected_version):
        """What fire() must do, in its own order of checks."""
        if not self.sees_finding(actor, finding):
            return UnknownFinding
        if expected_version is not None and expected_version != finding.version:
            return StaleFinding
        if spec is None:
            return TransitionNotAllowed
        if not actor.role_set & set(spec.roles):
            return Forbidden
        if not self.independent(actor, spec, finding):
            return Forbidden
        if corrupt:
            return InvalidPayload
        for guard in spec.guards:
            if self.guard_refuses(guard, finding, actor, values):
                return GuardFailed
        return spec.dest_from(finding.state)

    def independent(self, actor, spec, finding) -> bool:
        """Any one of the transition's sides. Inspecting: the raising body or one above it,
        never the finding's own unit; responsible: never the raising body or one above it; both
        only on a finding of the actor's subtree. A party side: a member of that party unit."""
        # The raising body as recorded when the finding was raised (people may move since).
        above_raiser = self.raising_body(finding).path.startswith(actor.unit.path)
        own = self.sees(actor, self.unit_of(finding))
        for side in spec.sides:
            if side == "responsible" and own and not above_raiser:
                return True
            if side == "inspecting" and own and above_raiser and actor.unit_id != finding.unit_id:
                return True
            if any(role == side and unit_id == actor.unit_id
                   for role, unit_id, _ in self.parties(finding)):
                return True
        return False

    def raising_body(self, finding):
        return next(u for u in self.org.units.values() if u.id == finding.raised_by_unit_id)

    def guard_refuses(self, guard, finding, actor, values) -> bool:
        if guard.name == "date_after_due_date":
            wanted = values.get(guard.params["field"])
            return wanted is not None and finding.due_date is not None and wanted <= finding.due_date
        if guard.name == "unit_differs":
            chosen = values.get(guard.params["field"])
            return chosen is not None and chosen.id == finding.unit_id
        if guard.name in ("unit_not_the_actors", "unit_below_raising_body"):  # v1, v2 names:
            # strictly below the raising body, not the actor's
            chosen = values.get(guard.params["field"])
            raiser = self.raising_body(finding).path
            return chosen is not None and (chosen.id == actor.unit_id or chosen.path == raiser
                                           or not chosen.path.startswith(raiser))
        if guard.name == "not_acknowledged":
            return finding.acknowledged_at is not None
        if guard.name == "lookback_due":  # scheduled, and its day has come
            return finding.lookback_due_date is None or finding.lookback_due_date > self.today
        if guard.name == "unit_above_finding":  # strictly above the finding's unit
            chosen = values.get(guard.params["field"])
            below = self.unit_of(finding).path
            return chosen is not None and (chosen.path == below or not below.startswith(chosen.path))
        if guard.name == "not_a_party_yet":  # neither the unit itself nor already co-responsible
            chosen = values.get(guard.params["field"])
            return chosen is not None and (chosen.id == finding.unit_id or any(
                (role, unit_id) == ("co_responsible", chosen.id)
                for role, unit_id, _ in self.parties(finding)))
        if guard.name == "part_not_done":
            return not any((role, unit_id, done) == ("co_responsible", actor.unit_id, False)
                           for role, unit_id, done in self.parties(finding))
        if guard.name == "parts_done":
            return any(role == "co_responsible" and not done
                       for role, _, done in self.parties(finding))
        if guard.name == "actor_did_not_fire":
            return any(e.trigger == guard.params["trigger"] and e.actor_id == actor.id
                       for e in self.flow.events(finding.id))
        if guard.name == "children_closed":  # a child split off is still open
            return any(c.is_open for c in self.children_of(finding.id))
        if guard.name == "new_child_unit":  # one child per unit
            chosen = values.get(guard.params["field"])
            return chosen is not None and any(c.unit_id == chosen.id
                                              for c in self.children_of(finding.id))
        raise AssertionError(f"the oracle does not know guard {guard.name}")

    def check(self, attempt: Attempt, actor, before_finding, spec) -> None:
        before = self.flow.snapshot(attempt.finding_id)
        try:
            with self.app.unit_of_work() as uow:
                fire(uow, attempt.finding_id, attempt.trigger, actor, attempt.payload,
                     attempt.expected_version)
        except RectifyError as err:
            assert type(err) is attempt.outcome, f"{attempt}: got {err!r}"
            assert self.flow.snapshot(attempt.finding_id) == before, f"{attempt} left traces"
            if isinstance(err, TransitionNotAllowed):
                lifecycle = self.app.registry.get(before_finding.lifecycle,
                                                  before_finding.lifecycle_version)
                assert err.allowed == [t.trigger for t in lifecycle.transitions_from(
                    before_finding.state) if actor.role_set & set(t.roles)
                    and self.independent(actor, t, before_finding)
                    and not any(self.guard_refuses(g, before_finding, actor, {})
                                for g in t.guards if g.name in OFFER_TIME_GUARDS)]
            return
        assert attempt.outcome == self.flow.finding(attempt.finding_id).state, \
            f"{attempt}: succeeded"
        after = self.flow.snapshot(attempt.finding_id)
        assert after["events"] == before["events"] + 1
        recurred = attempt.trigger == "look_back" and attempt.payload["outcome"] == "recurred"
        split = any(e.name == "raise_child" for e in spec.effects)  # + the child's raise, assign
        assert after["all_events"] == before["all_events"] + 1 + recurred + 2 * split
        if recurred:
            self.findings.append(self.recurrence_of(attempt.finding_id))
        if split:
            self.findings.append(self.children_of(attempt.finding_id)[-1].id)
        assert after["row"]["version"] == before["row"]["version"] + 1
        assert after["row"]["updated_at"] == self.clock()
        if attempt.outcome == before_finding.state:  # e.g. a look-back keeps a closed finding's
            assert after["row"]["closed_at"] == before["row"]["closed_at"]  # closing moment
        event = self.flow.events(attempt.finding_id)[-1]
        assert (event.trigger, event.from_state, event.to_state, event.actor_id) == (
            attempt.trigger, before_finding.state, attempt.outcome, actor.id)
        assert set(event.payload) <= {f.name for f in spec.fields} | {"due_date_change"} | (
            {"child"} if split else set())
        old, new = before["row"]["due_date"], after["row"]["due_date"]
        assert event.payload.get("due_date_change") == (
            None if old == new else [old and old.isoformat(), new and new.isoformat()])

    def children_of(self, parent: int) -> list[Finding]:
        """The findings split off from this one, oldest first."""
        with self.app.unit_of_work(write=False) as uow:
            rows = list(uow.session.scalars(select(Finding).where(Finding.parent_id == parent)
                                            .order_by(Finding.id)))
            uow.session.expunge_all()
            return rows

    def recurrence_of(self, original: int) -> int:
        """The finding a look-back raised again: linked, open, at the start of its lifecycle."""
        with self.app.unit_of_work(write=False) as uow:
            linked = uow.session.scalars(select(Finding).where(
                Finding.recurrence_of_id == original).order_by(Finding.id.desc())).first()
            assert linked is not None and linked.is_open and linked.state == "raised"
            return linked.id

    # --- invariants --------------------------------------------------------------------------

    @invariant()
    def findings_replay_to_their_state(self) -> None:
        for fid in self.findings:
            finding = self.flow.finding(fid)
            lifecycle = self.app.registry.get(finding.lifecycle, finding.lifecycle_version)
            assert lifecycle.has_state(finding.state)
            assert finding.is_open == (not lifecycle.is_final(finding.state))
            assert (finding.closed_at is not None) == (not finding.is_open)
            events = self.flow.events(fid)
            assert [e.seq for e in events] == list(range(1, len(events) + 1))
            assert (events[0].trigger, events[0].from_state, events[0].to_state) == (
                "raise", None, lifecycle.initial)
            state = lifecycle.initial
            for event in events[1:]:
                if event.trigger in ANNOTATIONS:  # a comment: the state stays
                    assert event.from_state == event.to_state == state
                    continue
                step = lifecycle.transition(state, event.trigger)
                assert step is not None and event.from_state == state
                state = step.dest_from(state)
                assert event.to_state == state
            assert state == finding.state and finding.last_seq == len(events)
            assert verify_chain(fid, finding.code, events, finding.last_seq, finding.last_hash,
                                finding.state) == []
            if finding.lifecycle == "standard" and finding.state == "closed":
                triggers = [e.trigger for e in events]
                assert "revisit" in triggers[:triggers.index("confirm")]

    @invariant()
    def stored_facts_agree_with_the_events(self) -> None:
        with self.app.unit_of_work(write=False) as uow:
            for fid in self.findings:
                assert facts_disagreeing(uow, fid) == [], fid

    @invariant()
    def parties_index_agrees_with_the_column(self) -> None:
        with self.app.unit_of_work(write=False) as uow:
            rows = uow.session.execute(select(FindingParty.finding_id, FindingParty.role,
                                              FindingParty.unit_id, FindingParty.done_at)).all()
        for fid in self.findings:
            indexed = sorted((r, u, d is not None) for f, r, u, d in rows if f == fid)
            assert indexed == sorted(self.parties(self.flow.finding(fid))), fid

    def teardown(self) -> None:
        with self.app.unit_of_work(write=False) as uow:
            assert list(verify_all(uow.session)) == []


# Guards that read only the finding and the day: what is offered (and listed as allowed) already
# leaves out the transitions they would refuse.
OFFER_TIME_GUARDS = ("not_acknowledged", "lookback_due", "part_not_done", "parts_done",
                     "children_closed")

RUNS = {
    "sqlite": settings(max_examples=30, stateful_step_count=25, deadline=None, database=None,
                       suppress_health_check=[HealthCheck.too_slow]),
    "postgres": settings(max_examples=15, stateful_step_count=25, deadline=None, database=None,
                         suppress_health_check=[HealthCheck.too_slow]),
}


@pytest.fixture
def uploads(org, flow):
    """Two evidence files uploaded by each user, by username."""
    return {name: [flow.evidence(user), flow.evidence(user)] for name, user in org.users.items()}


def test_random_walks_keep_every_invariant(backend, rectify, org, flow, clock, uploads,
                                          flow_v1):
    run_state_machine_as_test(lambda: Walk(rectify, org, flow, clock, uploads, flow_v1),
                              settings=RUNS[backend])
