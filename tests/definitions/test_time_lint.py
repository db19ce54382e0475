"""`rectify lint` on deadlines and the escalation ladder: each meaning check of
workflow/spec/time_checks.py, from a small timed definition broken once, with its exact line."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from workflow.cli import engine
from workflow.guards import EFFECTS

Data = dict[str, Any]
AUDIENCES = ("unit_handlers, unit_supervisors, parent_supervisors, raising_body, reviewers, raiser, "
             "addressee, lead, co_responsible")

# Every clock started, every period declared: lints clean. Transitions: 0 assign, 1 report,
# 2 reject, 3 confirm, 4 look_back.
TIMED: Data = {
    "name": "timed", "version": 1, "title": {"zh": "计时", "en": "Timed"},
    "raise_roles": ["inspector"], "initial": "raised",
    "deadlines": {"basis": "working", "rectify": {"high": 5, "medium": 10, "low": 15},
                  "acknowledge": 1, "review": 5, "lookback": 20},
    "raise_effects": [{"name": "notify", "params": {"to": "unit_handlers"}}],
    "ladder": [
        {"name": "not_acknowledged", "clock": "acknowledge", "at": 1, "notify": ["unit_supervisors"],
         "zh": "未签收", "en": "Not acknowledged"},
        {"name": "due_soon", "clock": "rectify", "at": -3, "notify": ["unit_handlers"],
         "zh": "临近", "en": "Due soon"},
        {"name": "overdue_7", "clock": "rectify", "at": 7, "level": 2,
         "notify": ["parent_supervisors"], "zh": "逾期七日", "en": "Seven days overdue"},
        {"name": "overdue_14", "clock": "rectify", "at": 14, "level": 3, "accountability": True,
         "notify": ["raising_body"], "zh": "逾期十四日", "en": "Fourteen days overdue"},
        {"name": "review_overdue", "clock": "review", "at": 1, "notify": ["reviewers"],
         "zh": "复查逾期", "en": "Check overdue"},
        {"name": "lookback_due", "clock": "lookback", "at": 0, "notify": ["reviewers"],
         "zh": "回头看", "en": "Look-back due"},
    ],
    "states": [
        {"name": "raised", "zh": "已发现", "en": "Raised"},
        {"name": "assigned", "zh": "整改中", "en": "Assigned"},
        {"name": "rectified", "zh": "已整改", "en": "Rectified"},
        {"name": "closed", "zh": "已销号", "en": "Closed", "final": True},
    ],
    "transitions": [
        {"trigger": "assign", "zh": "交办", "en": "Assign", "source": "raised", "dest": "assigned",
         "roles": ["inspector"],
         "fields": [{"name": "due_date", "type": "date", "zh": "期限", "en": "Due"}],
         "effects": [{"name": "set_due_date", "params": {"field": "due_date"}},
                     {"name": "default_due_date"}, {"name": "await_acknowledgement"}]},
        {"trigger": "report", "zh": "报送", "en": "Report", "source": "assigned",
         "dest": "rectified", "roles": ["handler"], "side": "responsible",
         "effects": [{"name": "acknowledge"}, {"name": "record_rectified_at"},
                     {"name": "set_review_due_date"}]},
        {"trigger": "reject", "zh": "退回", "en": "Reject", "source": "rectified",
         "dest": "assigned", "roles": ["reviewer"],
         "effects": [{"name": "resume_clock"}, {"name": "count_rework"}]},
        {"trigger": "confirm", "zh": "销号", "en": "Confirm", "source": "rectified",
         "dest": "closed", "roles": ["reviewer"], "effects": [{"name": "schedule_lookback"}]},
        {"trigger": "look_back", "zh": "回头看", "en": "Look back", "source": "closed",
         "dest": "=", "roles": ["reviewer"],
         "fields": [{"name": "outcome", "type": "choice", "zh": "结论", "en": "Outcome",
                     "choices": [{"value": "held", "zh": "保持", "en": "Held"},
                                 {"value": "recurred", "zh": "反弹", "en": "Recurred"}]}],
         "guards": [{"name": "lookback_due"}],
         "effects": [{"name": "record_lookback", "params": {"field": "outcome"}}]},
    ],
}


def _lint(tmp_path: Path, data: Data) -> Any:
    write = tmp_path / "bad.yaml"
    write.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return CliRunner().invoke(engine, ["lint", str(write)])


def _step(i: int, **changes: Any) -> Callable[[Data], None]:
    return lambda data: data["ladder"][i].update(changes)


def _drop_effect(t: int, name: str) -> Callable[[Data], None]:
    def mutate(data: Data) -> None:
        effects = data["transitions"][t]["effects"]
        effects[:] = [e for e in effects if e["name"] != name]
    return mutate


def _deadline(**changes: Any) -> Callable[[Data], None]:
    def mutate(data: Data) -> None:
        for key, value in changes.items():
            if value is None:
                data["deadlines"].pop(key)
            else:
                data["deadlines"][key] = value
    return mutate


def _both(*mutations: Callable[[Data], None]) -> Callable[[Data], None]:
    def mutate(data: Data) -> None:
        for change in mutations:
            change(data)
    return mutate


def _effects(t: int, *names: str) -> Callable[[Data], None]:
    return lambda data: data["transitions"][t].update(effects=[{"name": n} for n in names])


LEVEL_RULE = "an overdue level belongs to a step on the rectify clock at 1 or more days overdue"
EFFECTS_KNOWN = ", ".join(sorted(EFFECTS))

CASES: list[tuple[str, Callable[[Data], None], list[str]]] = [
    ("unknown severity", _deadline(rectify={"high": 5, "medium": 10, "low": 15, "urgent": 1}),
     ["deadlines.rectify.urgent: unknown severity 'urgent' (known: low, medium, high)"]),
    ("starter without its period", _deadline(review=None),
     ["transitions[1].effects[2]: 'set_review_due_date' needs deadlines.review"]),
    ("acknowledge starter without its period", _deadline(acknowledge=None),
     ["transitions[0].effects[2]: 'await_acknowledgement' needs deadlines.acknowledge"]),
    ("default due date without rectify periods", _deadline(rectify={}),
     ["transitions[0].effects[1]: 'default_due_date' needs deadlines.rectify"]),
    ("starter in raise_effects without its period",
     _both(_deadline(lookback=None),
           lambda data: data["raise_effects"].append({"name": "schedule_lookback"})),
     ["raise_effects[1]: 'schedule_lookback' needs deadlines.lookback",
      "transitions[3].effects[0]: 'schedule_lookback' needs deadlines.lookback"]),
    ("ladder step on a clock nothing starts", _drop_effect(1, "set_review_due_date"),
     ["ladder[4].clock: no transition starts the review clock (an effect "
      "'set_review_due_date')"]),
    ("lookback clock nothing starts", _drop_effect(3, "schedule_lookback"),
     ["ladder[5].clock: no transition starts the lookback clock (an effect "
      "'schedule_lookback')"]),
    ("unknown audience in a step", _step(1, notify=["unit_handlers", "everyone"]),
     [f"ladder[1].notify[1]: unknown audience 'everyone' (known: {AUDIENCES})"]),
    ("unknown audience in a notify effect",
     lambda data: data["raise_effects"][0]["params"].update(to="press"),
     [f"raise_effects[0].params.to: unknown audience 'press' (known: {AUDIENCES})"]),
    ("duplicate step name", _step(2, name="due_soon"), ["ladder[2].name: duplicate step 'due_soon'"]),
    ("two steps at the same moment", _step(5, clock="rectify", at=-3),
     ["ladder[5].at: step at -3 on the rectify clock twice (also ladder[1])"]),
    ("level on a step of another clock", _step(4, level=2),
     [f"ladder[4].level: {LEVEL_RULE}"]),
    ("level on a rectify step before the due date", _step(1, level=2),
     [f"ladder[1].level: {LEVEL_RULE}"]),
    ("levels not increasing", _step(3, level=2),
     ["ladder[3].level: level 2 at 14 days overdue must be higher than the level of every "
      "earlier step (2)"]),
    ("a level not above one two steps back",
     _both(_step(2, level=3), _step(3, level=2), lambda data: data["ladder"].append(
         {"name": "overdue_21", "clock": "rectify", "at": 21, "level": 3,
          "notify": ["raising_body"], "zh": "逾期二十一日", "en": "21 days overdue"})),
     ["ladder[3].level: level 2 at 14 days overdue must be higher than the level of every "
      "earlier step (3)",
      "ladder[6].level: level 3 at 21 days overdue must be higher than the level of every "
      "earlier step (3)"]),
    ("resume_clock after count_rework", _effects(2, "count_rework", "resume_clock"),
     ["transitions[2].effects: resume_clock must come before count_rework (it reads the "
      "report date count_rework clears)"]),
    ("default_due_date missing a severity", _deadline(rectify={"high": 5, "medium": 10}),
     ["deadlines.rectify: no period for severity 'low' (default_due_date needs one for each)"]),
    ("unknown clock", _step(0, clock="weekly"),
     ["ladder[0].clock: unknown clock 'weekly' (known: acknowledge, rectify, review, lookback)"]),
    ("raise_effects with an unknown effect",
     lambda data: data["raise_effects"].append({"name": "send_fax"}),
     [f"raise_effects[1].name: unknown effect 'send_fax' (known: {EFFECTS_KNOWN})"]),
]


def test_the_timed_definition_lints_clean(tmp_path: Path) -> None:
    result = _lint(tmp_path, TIMED)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("ok timed@1: 4 states (1 final), 5 transitions")


@pytest.mark.parametrize(("mutate", "expected"), [case[1:] for case in CASES],
                         ids=[case[0] for case in CASES])
def test_each_time_problem_is_printed_with_file_and_path(
        tmp_path: Path, mutate: Callable[[Data], None], expected: list[str]) -> None:
    data = copy.deepcopy(TIMED)
    mutate(data)
    result = _lint(tmp_path, data)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [f"bad.yaml: {line}" for line in expected]


def test_shipped_v2_definitions_lint_clean(definitions_dir: Path) -> None:
    paths = sorted(str(p) for p in definitions_dir.glob("*.v2.yaml"))
    assert len(paths) == 4
    result = CliRunner().invoke(engine, ["lint", *paths])
    assert result.exit_code == 0, result.output
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == [
        "ok escalation@2", "ok immediate@2", "ok standard@2", "ok suggestion@2"]
