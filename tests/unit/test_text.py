"""workflow/text.py: the one rule for text from outside, and row ids."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflow.text import (
    BIDI,
    CONTROL,
    INVISIBLE,
    REQUIRED,
    SURROGATE,
    TextRefused,
    as_id,
    clean_text,
    problem,
)


@pytest.mark.parametrize(("text", "why"), [
    ("a\x00b", CONTROL), ("a\x07b", CONTROL), ("a\x1bb", CONTROL), ("a\x7fb", CONTROL),
    ("a\x85b", CONTROL), ("a\x9fb", CONTROL), ("a\ud800b", SURROGATE), ("\udfff", SURROGATE),
    ("abc\u202ecba", BIDI), ("a\u202ab", BIDI), ("a\u2066b\u2069", BIDI), ("a\u2068b", BIDI),
    ("\u200b", INVISIBLE), ("\u200b\u200c\u200d", INVISIBLE), (" \ufeff\u2060 ", INVISIBLE),
    ("\u3164", INVISIBLE), ("\u00ad", INVISIBLE),
])
def test_refused_text_names_why(text: str, why: dict[str, str]) -> None:
    assert problem(text, multiline=True) == why
    with pytest.raises(TextRefused) as info:
        clean_text(text, multiline=True)
    assert info.value.message == why and set(why) == {"zh", "en"}


@pytest.mark.parametrize("text", ["a\tb", "a\nb", "a\r\nb"])
def test_tabs_and_newlines_only_in_multi_line_text(text: str) -> None:
    assert problem(text) == CONTROL
    assert clean_text(text, multiline=True) == text


@pytest.mark.parametrize("text", ["", "   ", "\t", "通道堵塞", "zero\u200bwidth inside", "e\u0301",
                                  "emoji 👍🏽", "Arabic مرحبا", "\u200f rtl mark"])
def test_ordinary_text_and_blank_text_pass(text: str) -> None:
    assert problem(text, multiline=True) is None


def test_required_text_needs_a_visible_character() -> None:
    for blank in ("", "   ", "\n\t"):
        with pytest.raises(TextRefused) as info:
            clean_text(blank, multiline=True, required=True)
        assert info.value.message == REQUIRED
    assert clean_text(" x ", required=True) == " x "


def test_text_comes_out_in_nfc() -> None:
    assert clean_text("Cafe\u0301") == "Caf\u00e9"
    assert clean_text("\u212b") == "\u00c5"  # Ångström sign -> A with ring


@given(st.text())
def test_accepted_text_is_nfc_and_free_of_what_is_refused(text: str) -> None:
    try:
        cleaned = clean_text(text, multiline=True)
    except TextRefused:
        return
    assert cleaned == unicodedata.normalize("NFC", cleaned)
    assert "\x00" not in cleaned and not any(0xD800 <= ord(c) <= 0xDFFF for c in cleaned)
    assert not any(unicodedata.category(c) == "Cc" and c not in "\t\n\r" for c in cleaned)
    assert isinstance(cleaned.encode("utf-8"), bytes)  # storable by both databases


@pytest.mark.parametrize(("raw", "expected"), [
    (8, 8), ("8", 8), ("0008", 8), (2**31 - 1, 2**31 - 1),
    ("8.9", None), (8.9, None), (8.0, None), ("٨", None), ("８", None), ("8_0", None),
    (" 8", None), ("8 ", None), ("-1", None), (-1, None), (0, None), ("0", None), (2**31, None),
    ("9" * 400, None), (True, None), (None, None), ([8], None), ("", None),
])
def test_ids_are_integers_or_ascii_digits_in_range(raw: object, expected: int | None) -> None:
    assert as_id(raw) == expected


@pytest.mark.parametrize("text", ["\U000e0041\U000e0042", "\ufe0f\U000e0100", "\u180b", "\u061c"])
def test_tags_selectors_and_marks_alone_are_invisible(text: str) -> None:
    assert problem(text) == INVISIBLE


def test_unicode_line_breaks_only_in_multi_line_text() -> None:
    assert problem("a\u2028b") == CONTROL and problem("a\u2029b") == CONTROL
    assert problem("a\u2028b", multiline=True) is None
    assert problem("مرحبا\u061cabc") is None  # a direction mark inside text is harmless
