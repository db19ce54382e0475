"""Meaning checks on a definition's deadlines and escalation ladder."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workflow.spec.model import AUDIENCES, CLOCKS

Problem = tuple[str, str]

# The effect that starts each clock: a ladder step on a clock nothing starts would never fire.
CLOCK_STARTERS = {"acknowledge": "await_acknowledgement", "review": "set_review_due_date",
                  "lookback": "schedule_lookback"}
# The period in `deadlines` each starter counts.
STARTER_PERIODS = {"await_acknowledgement": "acknowledge", "set_review_due_date": "review",
                   "schedule_lookback": "lookback", "default_due_date": "rectify"}


def check_time(data: Mapping[str, Any]) -> list[Problem]:
    """Problems of the deadlines and the ladder, as (yaml path, message)."""
    from workflow.catalog import SEVERITIES  # the catalogue imports the spec package

    problems: list[Problem] = []
    deadlines = data.get("deadlines") or {}
    for severity in sorted(set(deadlines.get("rectify", {})) - set(SEVERITIES)):
        problems.append((f"deadlines.rectify.{severity}", f"unknown severity '{severity}' "
                         f"(known: {', '.join(SEVERITIES)})"))
    used: set[str] = set()
    lists = [("raise_effects", data["raise_effects"])] + [
        (f"transitions[{i}].effects", t["effects"]) for i, t in enumerate(data["transitions"])]
    for where, effects in lists:
        names = [e["name"] for e in effects]
        used.update(names)
        for j, name in enumerate(names):
            period = STARTER_PERIODS.get(name)
            if period and not _declared(deadlines, period):
                problems.append((f"{where}[{j}]", f"'{name}' needs deadlines.{period}"))
        if "resume_clock" in names and "count_rework" in names[:names.index("resume_clock")]:
            problems.append((where, "resume_clock must come before "
                             "count_rework (it reads the report date count_rework clears)"))
    if "default_due_date" in used and _declared(deadlines, "rectify"):
        for severity in SEVERITIES:
            if severity not in deadlines["rectify"]:
                problems.append(("deadlines.rectify", f"no period for severity '{severity}' "
                                 "(default_due_date needs one for each)"))
    problems.extend(_check_ladder(data["ladder"], used))
    return problems


def _declared(deadlines: Mapping[str, Any], period: str) -> bool:
    if period == "rectify":
        return bool(deadlines.get("rectify"))
    return deadlines.get(period) is not None


def _check_ladder(ladder: list[Mapping[str, Any]], effects: set[str]) -> list[Problem]:
    problems: list[Problem] = []
    names: set[str] = set()
    moments: dict[tuple[str, int], int] = {}
    levels: list[tuple[int, int, int]] = []  # (at, level, index)
    for i, step in enumerate(ladder):
        path = f"ladder[{i}]"
        if step["name"] in names:
            problems.append((f"{path}.name", f"duplicate step '{step['name']}'"))
        names.add(step["name"])
        clock = step["clock"]
        if clock not in CLOCKS:
            problems.append((f"{path}.clock", f"unknown clock '{clock}' (known: "
                             f"{', '.join(CLOCKS)})"))
            continue
        starter = CLOCK_STARTERS.get(clock)
        if starter and starter not in effects:
            problems.append((f"{path}.clock", f"no transition starts the {clock} clock (an "
                             f"effect '{starter}')"))
        for j, audience in enumerate(step["notify"]):
            if audience not in AUDIENCES:
                problems.append((f"{path}.notify[{j}]", f"unknown audience '{audience}' "
                                 f"(known: {', '.join(AUDIENCES)})"))
        key = (clock, step["at"])
        if key in moments:
            problems.append((f"{path}.at", f"step at {step['at']} on the {clock} clock twice "
                             f"(also ladder[{moments[key]}])"))
        moments.setdefault(key, i)
        if "level" in step:
            if clock != "rectify" or step["at"] < 1:
                problems.append((f"{path}.level", "an overdue level belongs to a step on the "
                                 "rectify clock at 1 or more days overdue"))
            else:  # a misplaced level is reported once, not compared with the others
                levels.append((step["at"], step["level"], i))
    return problems + _check_levels(levels)


def _check_levels(levels: list[tuple[int, int, int]]) -> list[Problem]:
    """Each level above the highest of every earlier step, (at, level, index) in any order."""
    problems: list[Problem] = []
    highest = 0
    for at, level, i in sorted(levels):
        if level <= highest:
            problems.append((f"ladder[{i}].level", f"level {level} at {at} days overdue must be "
                             f"higher than the level of every earlier step ({highest})"))
        highest = max(highest, level)
    return problems
