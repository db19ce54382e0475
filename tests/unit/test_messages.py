"""workflow/messages.py: each kind of notification rendered in zh and en, exactly."""

from __future__ import annotations

from typing import Any

import pytest

from workflow.messages import render

URGE: dict[str, Any] = {
    "finding_id": 7, "code": "2026-0007", "title": "Exit blocked",
    "label": {"zh": "催办", "en": "Urge"}, "actor": "检查员", "note": "Report by Friday",
    "due_date": "2026-03-20", "unit": {"zh": "甲集团", "en": "Group A"}}
LADDER: dict[str, Any] = {
    **URGE, "label": {"zh": "逾期十四个工作日，建议问责", "en": "Fourteen working days overdue"},
    "anchor": "2026-03-20", "level": 3, "accountability": True, "note": ""}


@pytest.mark.parametrize(("lang", "subject", "lines"), [
    ("zh_CN", "【催办】2026-0007 Exit blocked",
     ["2026-0007 Exit blocked", "责任单位：甲集团", "检查员：催办", "整改期限：2026-03-20",
      "Report by Friday", "/findings/7"]),
    ("en", "[Urge] 2026-0007 Exit blocked",
     ["2026-0007 Exit blocked", "Unit: Group A", "检查员: Urge", "Due date: 2026-03-20",
      "Report by Friday", "/findings/7"]),
])
def test_a_transition(lang: str, subject: str, lines: list[str]) -> None:
    assert render("transition", URGE, lang) == (subject, "\n".join(lines))


@pytest.mark.parametrize(("lang", "subject", "lines"), [
    ("zh", "【逾期十四个工作日，建议问责】2026-0007 Exit blocked",
     ["2026-0007 Exit blocked", "责任单位：甲集团", "时限：2026-03-20", "逾期等级：3",
      "建议启动问责程序。", "/findings/7"]),
    ("en", "[Fourteen working days overdue] 2026-0007 Exit blocked",
     ["2026-0007 Exit blocked", "Unit: Group A", "Deadline: 2026-03-20", "Overdue level: 3",
      "Accountability is proposed.", "/findings/7"]),
])
def test_a_ladder_step(lang: str, subject: str, lines: list[str]) -> None:
    assert render("ladder", LADDER, lang) == (subject, "\n".join(lines))


def test_a_ladder_step_without_level_or_accountability_says_neither() -> None:
    _, text = render("ladder", {**LADDER, "level": 0, "accountability": False}, "en")
    assert text.splitlines() == ["2026-0007 Exit blocked", "Unit: Group A",
                                 "Deadline: 2026-03-20", "/findings/7"]


@pytest.mark.parametrize(("lang", "subject", "lines"), [
    ("zh_CN", "整改督办每日汇总：2 条提醒",
     ["【催办】2026-0007 Exit blocked", "【逾期十四个工作日，建议问责】2026-0007 Exit blocked"]),
    ("en", "Rectify daily digest: 2 notification(s)",
     ["[Urge] 2026-0007 Exit blocked", "[Fourteen working days overdue] 2026-0007 Exit blocked"]),
])
def test_a_digest_lists_the_subjects_of_its_items(
        lang: str, subject: str, lines: list[str]) -> None:
    params = {"count": 2, "items": [{"kind": "transition", "params": URGE},
                                    {"kind": "ladder", "params": LADDER}]}
    assert render("digest", params, lang) == (subject, "\n".join(lines))
