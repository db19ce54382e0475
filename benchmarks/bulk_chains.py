"""One generated finding: a valid walk through its lifecycle, the row after each step (with the
facts kept on it for the statistics and the export: services.stats_facts, services.ledger_facts),
and the events hash-chained exactly as workflow.services.events.append_event chains them."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

from benchmarks.bulk_effects import EFFECTS
from benchmarks.bulk_tree import Tree, stamp
from workflow.chain import GENESIS, canonical, event_hash, row_digest
from workflow.services.events import AUDITED_BY_SCHEME, CURRENT_SCHEME
from workflow.services.ledger_facts import EMPTY_FACTS, facts_after
from workflow.services.stats_facts import empty_facts, meaning_of, micros, step
from workflow.spec.model import Lifecycle, TransitionSpec

AUDITED = AUDITED_BY_SCHEME[CURRENT_SCHEME]
# Triggers the generator never takes: they need rows it does not write (co-responsible parts,
# children, recurrences) or a second unit's history (reassign).
SKIPPED = frozenset({"add_co_responsible", "report_part", "reassign", "split_off", "look_back"})
BEIJING = timedelta(hours=8)  # local dates: the organisation's zone has no daylight saving
TEXTS = {"requirement": "立即整改，举一反三，建立长效机制",
         "measures": "已完成整改并完善相关制度，附整改照片",
         "reason": "情况已核实，理由如下：材料不全", "message": "请抓紧落实整改，按期报送整改情况",
         "observations": "现场复查，问题已整改到位", "justification": "已尽职履责，符合容错情形",
         "obstacle": "涉及多个部门，本单位难以独立解决", "help_needed": "请求上级协调相关部门",
         "plan": "召开协调会，明确分工", "outcome": "协调完成，各方按分工落实", "comment": "同意",
         "conclusion": "整改到位，同意销号", "part": "负责配合整改"}
TITLES = ("消防通道堵塞", "食品留样记录缺失", "台账记录不全", "危险化学品存放不规范",
          "值班值守制度落实不到位", "公务用车管理不规范", "应急预案未按期演练", "冷链食品索证索票不全")
CATEGORIES = ("work_safety", "food_safety", "management", "conduct", "supply", "epidemic_control")
SEVERITIES = ("low", "medium", "medium", "high")


def walks(lifecycle: Lifecycle, rng: random.Random, per_state: int = 24,
          tries: int = 600) -> dict[str, list[tuple[TransitionSpec, ...]]]:
    """Valid trigger sequences from the initial state, a handful ending in each state."""
    pools: dict[str, list[tuple[TransitionSpec, ...]]] = {s.name: [] for s in lifecycle.states}
    pools[lifecycle.initial].append(())
    for _ in range(tries):
        state, acknowledged = lifecycle.initial, False
        path: tuple[TransitionSpec, ...] = ()
        for _step in range(rng.randrange(1, 12)):
            options = [t for t in lifecycle.transitions_from(state) if t.trigger not in SKIPPED
                       and not (acknowledged and t.trigger == "acknowledge")]
            if not options:
                break
            spec = rng.choice(options)
            names = {e.name for e in spec.effects}
            acknowledged = "acknowledge" in names or (acknowledged and
                                                      "await_acknowledgement" not in names)
            state, path = spec.dest_from(state), (*path, spec)
            if len(pools[state]) < per_state and path not in pools[state]:
                pools[state].append(path)
    return {state: paths for state, paths in pools.items() if paths}


def unit_record(tree: Tree, unit_id: int) -> dict[str, Any]:
    code, zh, en = tree.names[unit_id]
    return {"id": unit_id, "code": code, "name": zh, "name_en": en}


class Chain:
    """Builds one finding row and its events; `today` and `now` move along the walk."""

    def __init__(self, tree: Tree, lifecycle: Lifecycle, leaf: int, code: str,
                 created: datetime, rng: random.Random) -> None:
        self.tree, self.lifecycle, self.leaf, self.rng = tree, lifecycle, leaf, rng
        self.body, self.now = tree.body_of[leaf], created
        inspection, campaign = rng.choice(tree.inspections[leaf]) if rng.random() < .8 else (None, None)
        self.row: dict[str, Any] = {
            "code": code, "title": f"{tree.names[leaf][1]}{rng.choice(TITLES)}",
            "description": "检查发现的问题，详见现场照片", "category": rng.choice(CATEGORIES),
            "severity": rng.choice(SEVERITIES), "unit_id": leaf, "inspection_id": inspection,
            "campaign_id": campaign, "requirement": "", "due_date": None, "pending_due_date": None,
            "lifecycle": lifecycle.name, "lifecycle_version": lifecycle.version,
            "definition_hash": lifecycle.digest, "state": lifecycle.initial, "is_open": True,
            "rework_rounds": 0, "raised_by_id": tree.person(self.body, "inspector"),
            "rectified_at": None, "rectified_on": None, "closed_at": None, "created_at": created,
            "raised_by_unit_id": self.body, "due_basis": lifecycle.deadlines.basis,
            "acknowledged_at": None, "acknowledge_due_date": None, "review_due_date": None,
            "lookback_due_date": None, "ladder_fired": "", "overdue_level": 0, "recurrences": 0,
            "recurrence_of_id": None, "parent_id": None, "parties": "", "updated_at": created,
            "next_ladder_on": None, "last_seq": 0, "last_hash": "",
            **empty_facts(), **EMPTY_FACTS}
        self.events: list[dict[str, Any]] = []
        self.parties: list[dict[str, Any]] = []
        self.previous_actor = 0

    @property
    def today(self) -> date:
        return (self.now + BEIJING).date()

    def days(self, n: int) -> date:
        """n working days on, roughly (the engine's calendar is not consulted)."""
        return self.today + timedelta(days=n * 7 // 5)

    def append(self, trigger: str, source: str | None, actor: int, record: dict[str, Any]) -> None:
        row = self.row
        seq, prev = row["last_seq"] + 1, row["last_hash"] or GENESIS
        digest = f"{CURRENT_SCHEME}:{row_digest({k: row[k] for k in AUDITED})}"
        body = canonical(row["code"], seq, trigger, source, row["state"], actor, record, self.now,
                         digest)
        hashed = event_hash(prev, body)
        self.events.append({"seq": seq, "trigger": trigger, "from_state": source,
                            "to_state": row["state"], "actor_id": actor, "payload": record,
                            "created_at": self.now, "prev_hash": prev, "hash": hashed,
                            "finding_digest": digest})
        row["last_seq"], row["last_hash"], row["updated_at"] = seq, hashed, self.now
        step(row, meaning_of(self.lifecycle), trigger, source, row["state"], micros(self.now))
        row.update(facts_after(row["due_changes"], trigger, actor, record, self.now))
        self.previous_actor = actor

    def raise_it(self) -> None:
        row = self.row
        for effect in self.lifecycle.raise_effects:
            self.effect(effect.name, {})
        record: dict[str, Any] = {
            "title": row["title"], "description": row["description"], "category": row["category"],
            "severity": row["severity"], "unit": unit_record(self.tree, self.leaf),
            "lifecycle": self.lifecycle.key, "inspection": row["inspection_id"]}
        if row["due_date"] is not None:
            record["due_date_change"] = [None, row["due_date"].isoformat()]
        self.append("raise", None, row["raised_by_id"], record)

    def fire(self, spec: TransitionSpec) -> None:
        """The walk's next step: the row as fire() leaves it, then its event."""
        self.now += timedelta(days=self.rng.randrange(1, 4), minutes=self.rng.randrange(600),
                              microseconds=self.rng.randrange(1_000_000))
        row, source = self.row, self.row["state"]
        actor = self.actor(spec)
        payload = {f.name: self.value(f.name, f.type, f.choices) for f in spec.fields
                   if f.required}
        due_before = row["due_date"]
        row["state"] = spec.dest_from(source)
        final = self.lifecycle.is_final(row["state"])
        if final != self.lifecycle.is_final(source):
            row["is_open"], row["closed_at"] = not final, self.now if final else None
        if final:
            row["pending_due_date"] = None
        for effect in spec.effects:
            self.effect(effect.name, payload)
        record = {k: v.isoformat() if isinstance(v, date) else v for k, v in payload.items()}
        if row["due_date"] != due_before:
            record["due_date_change"] = [due_before.isoformat() if due_before else None,
                                         row["due_date"].isoformat() if row["due_date"] else None]
        self.append(spec.trigger, source, actor, record)

    def actor(self, spec: TransitionSpec) -> int:
        """Someone of the right role on the right side; not the one who acted last if avoidable."""
        side = spec.sides[0]
        unit = {"responsible": self.leaf, "inspecting": self.body}.get(side, self.body)
        if side in ("addressee", "lead"):
            unit = int(self.row["parties"].split()[-1].split(":")[1])
        found = [self.tree.people[(unit, r)] for r in spec.roles if (unit, r) in self.tree.people]
        fresh = [p for p in found if p != self.previous_actor]
        return (fresh or found)[0]

    def value(self, name: str, kind: str, choices: Any) -> Any:
        if kind == "date":
            if name == "requested_due_date":
                return (self.row["due_date"] or self.today) + timedelta(days=15)
            return self.today if name == "visited_on" else self.days(30)
        if kind == "choice":
            return choices[self.rng.randrange(len(choices))].value
        if kind == "unit":
            return unit_record(self.tree, self.body)
        return TEXTS.get(name, "情况说明")

    def effect(self, name: str, payload: dict[str, Any]) -> None:
        apply = EFFECTS.get(name)
        if apply is not None:
            apply(self, payload)


Pools = list[tuple[Lifecycle, dict[str, list[tuple[TransitionSpec, ...]]]]]


def chains(tree: Tree, pools: Pools,
           n: int, rng: random.Random, today: date, counters: dict[int, int]) -> Iterator[Chain]:
    """n findings: lifecycle and end state drawn at random, most of them long closed; codes
    numbered per year of raising from `counters` (year -> last number used), as next_code does."""
    weights = [6 if lc.name == "standard" else 2 for lc, _walks in pools]
    for _ in range(n):
        lifecycle, states = rng.choices(pools, weights)[0]
        finals = [s for s in states if lifecycle.is_final(s)]
        opens = [s for s in states if not lifecycle.is_final(s)]
        state = rng.choice(finals if finals and rng.random() < .6 else opens)
        path = rng.choice(states[state])
        created_day = today - timedelta(days=len(path) * 4 + 1 + rng.randrange(365))
        created = stamp(created_day, rng)
        year = (created + BEIJING).year
        counters[year] = counters.get(year, 0) + 1
        chain = Chain(tree, lifecycle, rng.choice(tree.leaves), f"{year}-{counters[year]:04d}",
                      created, rng)
        chain.raise_it()
        for spec in path:
            chain.fire(spec)
        yield chain
