"""Dates as official documents write them: 二〇二六年十一月二十九日, 29 November 2026."""

from __future__ import annotations

from datetime import date

_DIGITS = "〇一二三四五六七八九"
_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")


def chinese_number(n: int) -> str:
    """1..39 in Chinese numerals as dates count them: 十, 十一, 二十, 二十九, 三十一."""
    if not 0 < n < 40:
        raise ValueError(f"{n} is not a month or a day")
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + (_DIGITS[ones] if ones else "")


def chinese_date(d: date) -> str:
    """The date in Chinese numerals, the year digit by digit with 〇 (never 零)."""
    year = "".join(_DIGITS[int(c)] for c in str(d.year))
    return f"{year}年{chinese_number(d.month)}月{chinese_number(d.day)}日"


def english_date(d: date) -> str:
    return f"{d.day} {_MONTHS_EN[d.month - 1]} {d.year}"


def document_date(d: date | None, lang: str) -> str:
    """The date in the document's language; an empty string for no date."""
    if d is None:
        return ""
    return chinese_date(d) if lang == "zh" else english_date(d)
