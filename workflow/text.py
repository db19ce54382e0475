"""One rule for every text the app accepts: what it refuses, how it normalises, and row ids."""

from __future__ import annotations

import re
import unicodedata

ID_MAX = 2**31 - 1  # PostgreSQL INTEGER: no row has a larger id

# NUL and the other C0/C1 controls (tab, LF and CR are allowed in multi-line text only).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")  # and the Unicode line breaks
_CONTROL_MULTILINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")  # embeddings, overrides, isolates
# Characters that show nothing: whitespace, zero-width and other format characters (the
# direction marks ALM, LRM, RLM among them: harmless inside text), fillers, tags, selectors.
_INVISIBLE = re.compile("[\\s\u00ad\u061c\u034f\u115f\u1160\u180e\u200b-\u200f\u2028-\u202f"
                        "\u205f-\u206f\u2800\u3000\u3164\ufe00-\ufe0f\ufeff\uffa0"
                        "\u180b-\u180d\U000e0000-\U000e007f\U000e0100-\U000e01ef]*")
_DIGITS = re.compile("[0-9]{1,10}")

CONTROL = {"zh": "含有无法保存的控制字符。",
           "en": "The text contains control characters that cannot be stored."}
SURROGATE = {"zh": "含有无效的字符编码。", "en": "The text contains invalid characters (lone surrogates)."}
BIDI = {"zh": "含有改变文字方向的控制字符。", "en": "The text contains bidirectional override characters."}
INVISIBLE = {"zh": "只有空白或不可见字符。", "en": "The text contains only blank or invisible characters."}
REQUIRED = {"zh": "此项必填。", "en": "This field is required."}


class TextRefused(ValueError):
    """The text breaks the rule; `message` says why in zh and en."""

    def __init__(self, message: dict[str, str]) -> None:
        self.message = message
        super().__init__(message["en"])


def problem(value: str, *, multiline: bool = False) -> dict[str, str] | None:
    """Why value may not be accepted as text (None when it may); empty text is fine."""
    if _SURROGATE.search(value):
        return SURROGATE
    if (_CONTROL_MULTILINE if multiline else _CONTROL).search(value):
        return CONTROL
    if _BIDI.search(value):
        return BIDI
    if not is_blank(value) and _INVISIBLE.fullmatch(value):
        return INVISIBLE
    return None


def is_blank(value: str) -> bool:
    """Empty or only whitespace: the field was left empty."""
    return not value.strip()


def clean_text(value: str, *, multiline: bool = False, required: bool = False) -> str:
    """value in NFC, or TextRefused; required text must contain a visible character."""
    refused = problem(value, multiline=multiline)
    if refused is not None:
        raise TextRefused(refused)
    if required and is_blank(value):
        raise TextRefused(REQUIRED)
    return unicodedata.normalize("NFC", value)


def as_id(value: object) -> int | None:
    """A row id: a JSON integer or ASCII digits, 1 to ID_MAX; None for anything else
    (8.9, "٨", "8_0", " 8", True, -1)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _DIGITS.fullmatch(value):
        number = int(value)
    else:
        return None
    return number if 1 <= number <= ID_MAX else None
