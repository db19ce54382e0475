"""Plain words for a lifecycle, in zh and en: what each state means, what each guard requires."""

from __future__ import annotations

STATE_MEANINGS: dict[str, tuple[str, str]] = {
    "raised": ("问题已记录，尚未交办给责任单位。",
               "The finding is written down; no unit has been asked to fix it yet."),
    "proposed": ("意见建议已提出，等待责任单位研究是否采纳。",
                 "The suggestion is made; the unit is deciding whether to adopt it."),
    "assigned": ("已交办，责任单位正在整改，须在整改期限前报送整改情况。",
                 "The unit is fixing the problem and reports what it did before the due date."),
    "adopted": ("建议已采纳，责任单位正在落实。",
                "The unit adopted the suggestion and is putting it into practice."),
    "fixed": ("已当场整改，等待检查人员确认。",
              "The problem was fixed on the spot; an inspector is to confirm it."),
    "escalated": ("责任单位无法自行解决，已提请上级协调，等待受理。",
                  "The unit cannot solve it alone and asked a higher body for help."),
    "coordinating": ("上级机构正在组织协调，协调完成后交回整改。",
                     "A higher body is coordinating the help; the finding then goes back to the "
                     "unit."),
    "extension_requested": ("责任单位申请延长整改期限，等待批准。",
                            "The unit asked for a later due date; someone is to approve it."),
    "waiver_requested": ("已申请容错免责，等待决定。",
                         "A waiver (容错) was requested; someone is to decide on it."),
    "rectified": ("责任单位已报送整改情况，等待复查。",
                  "The unit reported the rectification; a reviewer is to check it."),
    "revisited": ("已到现场复查，等待确认销号或退回。",
                  "The follow-up check is done; the finding is to be closed or sent back."),
    "closed": ("整改到位，已销号。", "The rectification is confirmed and the finding is closed."),
    "implemented": ("建议已落实，已销号。", "The suggestion is in practice and the item is closed."),
    "not_adopted": ("建议未被采纳，已结束。", "The suggestion was not adopted; the item is closed."),
    "withdrawn": ("问题系误报，已撤销，不计入统计。",
                  "The finding was raised in error and withdrawn; it is not counted."),
    "waived": ("容错免责，不再整改，不计入统计。",
               "The finding was waived (容错): no rectification, not counted."),
}

GUARD_WORDS: dict[str, tuple[str, str]] = {
    "date_after_due_date": ("申请的日期须晚于当前整改期限。",
                            "The date asked for must be after the current due date."),
    "unit_differs": ("新责任单位须不同于当前责任单位。",
                     "The new unit must differ from the current one."),
    "unit_not_the_actors": ("新责任单位须在提出问题的机构之下，且不是您的单位。",
                            "The new unit must be below the raising body, and not your own."),
    "unit_below_raising_body": ("新责任单位须在提出问题的机构之下，且不是您的单位。",
                                "The new unit must be below the raising body, and not your own."),
    "actor_did_not_fire": ("报送整改的人不能复核自己的整改。",
                           "Whoever reported the rectification cannot confirm it."),
    "not_acknowledged": ("尚未签收。", "Not acknowledged yet."),
    "lookback_due": ("回头看已到期。", "The look-back is due."),
    "children_closed": ("所有子问题均已销号。", "Every child finding is closed."),
    "new_child_unit": ("该单位还没有本问题的子问题。",
                       "The unit has no child finding of this one yet."),
    "unit_above_finding": ("所提请的机构须在责任单位之上。",
                           "The body addressed must be above the finding's unit."),
    "not_a_party_yet": ("该单位还不是本问题的责任或配合单位。",
                        "The unit is not yet responsible or co-responsible."),
    "part_not_done": ("您的单位的配合部分尚未报送。", "Your unit's part is not reported yet."),
    "parts_done": ("所有配合单位均已报送。", "Every co-responsible unit has reported its part."),
}


def _pick(words: tuple[str, str], lang: str) -> str:
    return words[0] if lang.startswith("zh") else words[1]


def state_meaning(name: str, final: bool, lang: str) -> str:
    """What a state means for its users; a state without words says only whether it ends."""
    if name in STATE_MEANINGS:
        return _pick(STATE_MEANINGS[name], lang)
    return _pick(("流程在此结束。", "The finding ends here.") if final
                 else ("流程进行中。", "The finding is in progress."), lang)


def guard_words(name: str, lang: str) -> str:
    """What a guard requires, in a sentence; empty for a guard without words."""
    return _pick(GUARD_WORDS[name], lang) if name in GUARD_WORDS else ""
