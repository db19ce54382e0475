"""Frozen spec objects a validated definition turns into; shared by every finding of a version."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from workflow.errors import UnknownLifecycle

if TYPE_CHECKING:
    from transitions import Machine

ROLES = ("inspector", "handler", "reviewer", "supervisor", "admin")
# The clocks a ladder step can run on, each anchored on a date column of the finding:
# acknowledge (签收 by), rectify (the due date), review (复查时限), lookback (回头看).
CLOCKS = ("acknowledge", "rectify", "review", "lookback")
# Who a notification goes to, resolved on the unit tree when it is sent (services.notify).
AUDIENCES = ("unit_handlers", "unit_supervisors", "parent_supervisors", "raising_body",
             "reviewers", "raiser", "addressee", "lead", "co_responsible")
# Who takes a transition: "responsible" (the unit's own side), "inspecting" (the raising body or
# one above it), or a party to the finding (workflow.services.parties): its members only.
SIDES = ("inspecting", "responsible", "addressee", "lead", "co_responsible")
FIELD_TYPES = ("text", "date", "unit", "choice", "number", "files")
SAME_STATE = "="
# Events that record something about a finding without moving it (workflow.services.annotate):
# their triggers are the engine's own, no definition may use them.
# A final state's outcome, for statistics: a problem's "confirmed" (销号), a suggestion's
# "implemented" or "declined" (not adopted), or "excluded" (withdrawn, waived: not counted).
# A lifecycle with an "implemented" outcome in any version is a suggestion lifecycle.
OUTCOMES = ("confirmed", "implemented", "declined", "excluded")
ANNOTATIONS = ("comment", "comment_edit", "link", "unlink", "letter", "letter_reply")


@dataclass(frozen=True)
class Choice:
    value: str
    zh: str
    en: str


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str
    zh: str
    en: str
    required: bool = False
    min_length: int | None = None
    max_length: int | None = None
    min_days: int | None = None
    max_days: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = False
    min_count: int = 0
    unit_scope: str = "actor"  # unit fields: "actor" (the actor's subtree) or "all" (any unit)
    max_count: int | None = None
    choices: tuple[Choice, ...] = ()

    def label(self, lang: str) -> str:
        return self.zh if lang.startswith("zh") else self.en


@dataclass(frozen=True)
class Rule:
    """A guard or effect reference: a name from the engine's allow-list and its parameters."""

    name: str
    params: MappingProxyType[str, Any] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class StateSpec:
    name: str
    zh: str
    en: str
    final: bool = False
    # For statistics: one of OUTCOMES (final states only).
    outcome: str | None = None

    def label(self, lang: str) -> str:
        return self.zh if lang.startswith("zh") else self.en


@dataclass(frozen=True)
class TransitionSpec:
    trigger: str
    zh: str
    en: str
    sources: tuple[str, ...]
    dest: str
    roles: tuple[str, ...]
    fields: tuple[FieldSpec, ...] = ()
    guards: tuple[Rule, ...] = ()
    effects: tuple[Rule, ...] = ()
    todo: bool = True  # counts as work awaiting the actor (withdraw, waive, reassign don't)
    # "responsible": the unit's own side (report, ask, adopt); "inspecting": only a body above
    # the finding's unit may fire it (check, close, waive, decide) — never the unit itself; a
    # party role (SIDES): only that party's members. Several sides: any one of them may.
    sides: tuple[str, ...] = ("inspecting",)

    def label(self, lang: str) -> str:
        return self.zh if lang.startswith("zh") else self.en

    def dest_from(self, source: str) -> str:
        return source if self.dest == SAME_STATE else self.dest

    def field(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)


@dataclass(frozen=True)
class Deadlines:
    """Default periods of a lifecycle, counted in working or calendar days (`basis`)."""

    basis: str = "working"
    rectify: MappingProxyType[str, int] = field(default_factory=lambda: MappingProxyType({}))
    acknowledge: int | None = None  # 签收 within this many days of assignment
    review: int | None = None  # 复查时限: the follow-up check within this many days of the report
    lookback: int | None = None  # 回头看: a second check this many days after closing


@dataclass(frozen=True)
class LadderStep:
    """One rung of the escalation ladder: `at` days (in the deadlines' basis) after the anchor of
    its clock (before it when negative), tell `notify`; a `level` raises the overdue level."""

    name: str
    zh: str
    en: str
    clock: str
    at: int
    notify: tuple[str, ...]
    level: int = 0
    accountability: bool = False  # the step proposes holding someone to account (问责)

    def label(self, lang: str) -> str:
        return self.zh if lang.startswith("zh") else self.en


@dataclass(frozen=True)
class Lifecycle:
    name: str
    version: int
    zh: str
    en: str
    initial: str
    raise_roles: tuple[str, ...]
    states: tuple[StateSpec, ...]
    transitions: tuple[TransitionSpec, ...]
    digest: str
    source: str
    machine: Machine = field(compare=False, repr=False)
    deadlines: Deadlines = field(default_factory=Deadlines)
    ladder: tuple[LadderStep, ...] = ()
    raise_effects: tuple[Rule, ...] = ()  # what raising a finding sets off

    @property
    def key(self) -> str:
        return f"{self.name}@{self.version}"

    def label(self, lang: str) -> str:
        return self.zh if lang.startswith("zh") else self.en

    def state(self, name: str) -> StateSpec:
        return next(s for s in self.states if s.name == name)

    def has_state(self, name: str) -> bool:
        return any(s.name == name for s in self.states)

    def is_final(self, name: str) -> bool:
        return self.state(name).final

    def final_states(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.states if s.final)

    def transitions_from(self, state: str) -> tuple[TransitionSpec, ...]:
        return tuple(t for t in self.transitions if state in t.sources)

    def transition(self, state: str, trigger: str) -> TransitionSpec | None:
        return next((t for t in self.transitions_from(state) if t.trigger == trigger), None)

    def path_to(self, state: str) -> tuple[str, ...]:
        """The triggers of a shortest path from the initial state to `state` (KeyError if none)."""
        paths: dict[str, tuple[str, ...]] = {self.initial: ()}
        queue = deque([self.initial])
        while queue:
            here = queue.popleft()
            for spec in self.transitions_from(here):
                there = spec.dest_from(here)
                if there not in paths:
                    paths[there] = (*paths[here], spec.trigger)
                    queue.append(there)
        return paths[state]


class Registry:
    """Every loaded lifecycle version, by name and version; the newest version raises new findings."""

    def __init__(self, lifecycles: list[Lifecycle]) -> None:
        self._by_key = {(lc.name, lc.version): lc for lc in lifecycles}

    def get(self, name: str, version: int | None = None) -> Lifecycle:
        if version is None:
            versions = [v for (n, v) in self._by_key if n == name]
            if not versions:
                raise UnknownLifecycle(name)
            version = max(versions)
        try:
            return self._by_key[(name, version)]
        except KeyError:
            raise UnknownLifecycle(name, version) from None

    def latest(self) -> list[Lifecycle]:
        names = sorted({n for (n, _) in self._by_key})
        return [self.get(n) for n in names]

    def all(self) -> list[Lifecycle]:
        return [self._by_key[k] for k in sorted(self._by_key)]

    def __len__(self) -> int:
        return len(self._by_key)
