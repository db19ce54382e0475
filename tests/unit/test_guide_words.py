"""Every state of a shipped definition and every guard has plain words for the lifecycles page."""

from __future__ import annotations

from pathlib import Path

from workflow.guards import GUARDS
from workflow.guide import GUARD_WORDS, STATE_MEANINGS, guard_words, state_meaning
from workflow.spec.loader import load_paths

DEFINITIONS = Path(__file__).parents[2] / "definitions"


def test_every_shipped_state_has_a_meaning():
    lifecycles, problems = load_paths([DEFINITIONS])
    assert problems == [] and lifecycles
    missing = {s.name for lc in lifecycles for s in lc.states} - set(STATE_MEANINGS)
    assert missing == set()


def test_every_guard_has_words():
    assert set(GUARDS) == set(GUARD_WORDS)


def test_words_are_sentences_in_both_languages():
    for zh, en in (*STATE_MEANINGS.values(), *GUARD_WORDS.values()):
        assert en[0].isupper() and en.endswith("."), en
        assert zh.endswith("。"), zh


def test_unknown_names_fall_back():
    assert state_meaning("nowhere", True, "en") == "The finding ends here."
    assert state_meaning("nowhere", False, "zh") == "流程进行中。"
    assert guard_words("nowhere", "en") == ""
