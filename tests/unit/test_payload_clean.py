"""workflow.payload.clean: each field type's checks, with the exact zh and en messages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from workflow.errors import InvalidPayload
from workflow.payload import Lookup, clean
from workflow.spec import Choice, FieldSpec
from workflow.text import CONTROL, SURROGATE

TODAY = date(2024, 3, 1)  # 2024 is a leap year: +366 days is 2025-03-02
# Text, date, number and choice fields never touch the database.
LOOKUP = Lookup(session=None, today=TODAY, unit_in_scope=lambda unit: True,  # type: ignore[arg-type]
                attachment_allowed=lambda attachment: True)

TEXT = FieldSpec("note", "text", "说明", "Note", min_length=5, max_length=10)
DATE = FieldSpec("due", "date", "期限", "Due", min_days=1, max_days=366)
PAST = FieldSpec("visited_on", "date", "复查日期", "Check date", min_days=-30, max_days=0)
NUMBER = FieldSpec("count", "number", "数量", "Count", minimum=0, maximum=100, integer=True)
RATIO = FieldSpec("ratio", "number", "比例", "Ratio", minimum=0.5, maximum=1.5)
CHOICE = FieldSpec("method", "choice", "方式", "Method",
                   choices=(Choice("onsite", "现场", "On site"), Choice("online", "线上", "Online")))
REQUIRED = FieldSpec("reason", "text", "理由", "Reason", required=True)


def _errors(fields: tuple[FieldSpec, ...], payload: dict[str, Any]) -> dict[str, dict[str, str]]:
    with pytest.raises(InvalidPayload) as caught:
        clean(fields, payload, LOOKUP)
    return caught.value.errors


def _error(spec: FieldSpec, raw: Any) -> dict[str, str]:
    errors = _errors((spec,), {spec.name: raw})
    assert list(errors) == [spec.name]
    return errors[spec.name]


# --- text ---------------------------------------------------------------------------------------

def test_text_is_stripped() -> None:
    cleaned = clean((TEXT,), {"note": "  hello  "}, LOOKUP)
    assert cleaned.values == {"note": "hello"}
    assert cleaned.record == {"note": "hello"}
    assert cleaned.attachments == []


@pytest.mark.parametrize("raw", ["12345", "1234567890", "一二三四五"])
def test_text_within_bounds(raw: str) -> None:
    assert clean((TEXT,), {"note": raw}, LOOKUP).values["note"] == raw


def test_text_too_short_counts_after_stripping() -> None:
    assert _error(TEXT, "  abcd     ") == {"zh": "至少 5 个字。", "en": "Enter at least 5 characters."}


def test_text_too_long() -> None:
    assert _error(TEXT, "x" * 11) == {"zh": "最多 10 个字。", "en": "Enter at most 10 characters."}


@pytest.mark.parametrize("raw", [12345, ["hello"], {"a": "b"}])
def test_text_must_be_text(raw: Any) -> None:
    assert _error(TEXT, raw) == {"zh": "应为文本。", "en": "Enter text."}


# --- date ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "value"), [
    ("2024-03-02", date(2024, 3, 2)),
    (" 2025-03-02 ", date(2025, 3, 2)),
    (date(2024, 6, 1), date(2024, 6, 1)),
])
def test_date_within_bounds(raw: Any, value: date) -> None:
    cleaned = clean((DATE,), {"due": raw}, LOOKUP)
    assert cleaned.values == {"due": value}
    assert cleaned.record == {"due": value.isoformat()}


def test_date_before_min_days() -> None:
    assert _error(DATE, "2024-03-01") == {"zh": "不能早于 2024-03-02。",
                                          "en": "Enter a date on or after 2024-03-02."}


def test_date_after_max_days() -> None:
    assert _error(DATE, "2025-03-03") == {"zh": "不能晚于 2025-03-02。",
                                          "en": "Enter a date on or before 2025-03-02."}


def test_date_limits_can_be_in_the_past() -> None:
    assert clean((PAST,), {"visited_on": "2024-01-31"}, LOOKUP).values["visited_on"] == date(2024, 1, 31)
    assert clean((PAST,), {"visited_on": "2024-03-01"}, LOOKUP).values["visited_on"] == TODAY
    assert _error(PAST, "2024-01-30") == {"zh": "不能早于 2024-01-31。",
                                          "en": "Enter a date on or after 2024-01-31."}
    assert _error(PAST, "2024-03-02") == {"zh": "不能晚于 2024-03-01。",
                                          "en": "Enter a date on or before 2024-03-01."}


def test_date_limits_follow_lookup_today() -> None:
    later = Lookup(session=None, today=date(2024, 12, 31),  # type: ignore[arg-type]
                   unit_in_scope=lambda unit: True, attachment_allowed=lambda attachment: True)
    assert clean((DATE,), {"due": "2025-01-01"}, later).values["due"] == date(2025, 1, 1)
    with pytest.raises(InvalidPayload) as caught:
        clean((DATE,), {"due": "2024-12-31"}, later)
    assert caught.value.errors["due"]["en"] == "Enter a date on or after 2025-01-01."


@pytest.mark.parametrize("raw", ["2024-02-30", "tomorrow", "03/04/2024", 20240401, "20240401", "2024-W14-1",
                                 datetime(2024, 6, 1, 9, 30)])
def test_date_must_be_a_date(raw: Any) -> None:
    assert _error(DATE, raw) == {"zh": "日期格式应为 YYYY-MM-DD。", "en": "Enter a date as YYYY-MM-DD."}


# --- number -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "value"), [(0, 0), ("42", 42), (100.0, 100), (" 7 ", 7)])
def test_integer_within_bounds(raw: Any, value: int) -> None:
    cleaned = clean((NUMBER,), {"count": raw}, LOOKUP)
    assert cleaned.values["count"] == value
    assert type(cleaned.values["count"]) is int
    assert cleaned.record["count"] == value


def test_float_is_kept() -> None:
    assert clean((RATIO,), {"ratio": "0.75"}, LOOKUP).values["ratio"] == 0.75


def test_number_below_minimum() -> None:
    assert _error(NUMBER, -1) == {"zh": "不能小于 0。", "en": "Enter a number of at least 0."}
    assert _error(RATIO, 0.25) == {"zh": "不能小于 0.5。", "en": "Enter a number of at least 0.5."}


def test_number_above_maximum() -> None:
    assert _error(NUMBER, 101) == {"zh": "不能大于 100。", "en": "Enter a number of at most 100."}
    assert _error(RATIO, 2) == {"zh": "不能大于 1.5。", "en": "Enter a number of at most 1.5."}


def test_number_must_be_whole_when_integer() -> None:
    assert _error(NUMBER, 2.5) == {"zh": "应为整数。", "en": "Enter a whole number."}


@pytest.mark.parametrize("raw", [True, False, "abc", float("nan"), "nan", float("inf"), "-inf",
                                 {"n": 1}, [1]])
def test_number_must_be_a_number(raw: Any) -> None:
    assert _error(NUMBER, raw) == {"zh": "应为数字。", "en": "Enter a number."}


# --- choice -------------------------------------------------------------------------------------

def test_choice_accepts_a_listed_value() -> None:
    cleaned = clean((CHOICE,), {"method": "online"}, LOOKUP)
    assert cleaned.values == {"method": "online"} and cleaned.record == {"method": "online"}


@pytest.mark.parametrize("raw", ["Online", "phone", 1, ["onsite"]])
def test_choice_refuses_other_values(raw: Any) -> None:
    assert _error(CHOICE, raw) == {"zh": "应为以下之一：onsite、online。",
                                   "en": "Choose one of: onsite, online."}


# --- unit and files: the shape is checked before any database lookup -----------------------------

def test_unit_must_be_an_id() -> None:
    spec = FieldSpec("unit", "unit", "单位", "Unit")
    assert _error(spec, "HQ-1") == {"zh": "应为单位编号。", "en": "Enter a unit id."}


def test_files_must_be_a_list_of_digests() -> None:
    spec = FieldSpec("evidence", "files", "材料", "Evidence", min_count=1)
    assert _error(spec, [1, 2]) == {"zh": "应为已上传文件的列表。", "en": "Send a list of uploaded files."}


def test_files_with_min_count_are_required() -> None:
    spec = FieldSpec("evidence", "files", "材料", "Evidence", min_count=1)
    assert _errors((spec,), {}) == {"evidence": {"zh": "此项必填。", "en": "This field is required."}}
    optional = FieldSpec("photos", "files", "照片", "Photos", min_count=0)
    assert clean((optional,), {"photos": []}, LOOKUP).values == {}


# --- required, blank, unknown, several at once ----------------------------------------------------

@pytest.mark.parametrize("payload", [{}, {"reason": None}, {"reason": ""}, {"reason": "   "}])
def test_required_field(payload: dict[str, Any]) -> None:
    assert _errors((REQUIRED,), payload) == {"reason": {"zh": "此项必填。", "en": "This field is required."}}


def test_optional_blank_fields_are_left_out() -> None:
    cleaned = clean((TEXT, DATE, NUMBER, CHOICE), {"note": " ", "due": None, "method": ""}, LOOKUP)
    assert (cleaned.values, cleaned.record, cleaned.attachments) == ({}, {}, [])


def test_unknown_field_is_refused() -> None:
    assert _errors((TEXT,), {"note": "hello", "colour": "red"}) == {
        "colour": {"zh": "此操作没有这个字段。", "en": "This action has no such field."},
    }


def test_every_wrong_field_is_named_at_once() -> None:
    errors = _errors((REQUIRED, TEXT, NUMBER, CHOICE),
                     {"note": "abc", "count": "x", "method": "phone", "extra": 1})
    assert errors == {
        "extra": {"zh": "此操作没有这个字段。", "en": "This action has no such field."},
        "reason": {"zh": "此项必填。", "en": "This field is required."},
        "note": {"zh": "至少 5 个字。", "en": "Enter at least 5 characters."},
        "count": {"zh": "应为数字。", "en": "Enter a number."},
        "method": {"zh": "应为以下之一：onsite、online。", "en": "Choose one of: onsite, online."},
    }


def test_invalid_payload_message_is_english() -> None:
    with pytest.raises(InvalidPayload) as caught:
        clean((REQUIRED,), {}, LOOKUP)
    assert str(caught.value) == "reason: This field is required."


def test_a_clean_payload_of_several_fields() -> None:
    cleaned = clean((REQUIRED, DATE, NUMBER, CHOICE),
                    {"reason": " fine ", "due": "2024-04-01", "count": "3", "method": "onsite"}, LOOKUP)
    assert cleaned.values == {"reason": "fine", "due": date(2024, 4, 1), "count": 3, "method": "onsite"}
    assert cleaned.record == {"reason": "fine", "due": "2024-04-01", "count": 3, "method": "onsite"}


@pytest.mark.parametrize("text", ["ok\x00", "bell\x07here", "lone \ud800 surrogate", "del\x7f"])
def test_text_with_control_characters_or_lone_surrogates_is_refused(text: str) -> None:
    spec = FieldSpec("note", "text", "备注", "Note", required=True)
    with pytest.raises(InvalidPayload) as info:
        clean([spec], {"note": text}, LOOKUP_FOR_CONTROL_TESTS)
    expected = SURROGATE if "\ud800" in text else CONTROL  # the one rule: workflow/text.py
    assert info.value.errors["note"] == expected


def test_text_keeps_tabs_and_newlines() -> None:
    spec = FieldSpec("note", "text", "备注", "Note", required=True)
    cleaned = clean([spec], {"note": "第一行\n\t第二行"}, LOOKUP_FOR_CONTROL_TESTS)
    assert cleaned.values["note"] == "第一行\n\t第二行"


def test_a_number_too_large_for_a_float_is_refused_not_crashing() -> None:
    spec = FieldSpec("letters", "number", "提醒函", "Letters", integer=True)
    with pytest.raises(InvalidPayload) as info:
        clean([spec], {"letters": 10**400}, LOOKUP_FOR_CONTROL_TESTS)
    assert info.value.errors["letters"]["en"] == "Enter a number."


LOOKUP_FOR_CONTROL_TESTS = Lookup(session=None, today=date(2026, 3, 2),  # type: ignore[arg-type]
                                  unit_in_scope=lambda unit: True,
                                  attachment_allowed=lambda attachment: True)
