"""Document templates without a database: Chinese and English dates, the shipped templates are
what build_templates.py builds, each fills from exactly its kind's placeholders, file names."""

from __future__ import annotations

import zipfile
from datetime import date
from io import BytesIO

import docx
import pytest

from web.downloads import content_disposition
from workflow.documents import chinese_date, english_date, render_document
from workflow.documents.build_templates import BUILDERS, build
from workflow.documents.render import LANGUAGES, PLACEHOLDERS, ROW_FIELDS, SHIPPED
from workflow.errors import DocumentTemplateError
from workflow.services.document_facts import safe_filename


@pytest.mark.parametrize("day, zh, en", [
    (date(2026, 11, 29), "二〇二六年十一月二十九日", "29 November 2026"),
    (date(2026, 1, 1), "二〇二六年一月一日", "1 January 2026"),
    (date(2026, 10, 10), "二〇二六年十月十日", "10 October 2026"),
    (date(2026, 12, 20), "二〇二六年十二月二十日", "20 December 2026"),
    (date(2026, 3, 30), "二〇二六年三月三十日", "30 March 2026"),
    (date(2026, 5, 31), "二〇二六年五月三十一日", "31 May 2026"),
    (date(2000, 2, 11), "二〇〇〇年二月十一日", "11 February 2000"),
])
def test_dates_as_documents_write_them(day, zh, en):
    assert chinese_date(day) == zh and english_date(day) == en
    assert "零" not in chinese_date(day)


def test_the_shipped_templates_are_what_the_script_builds(tmp_path):
    built = build(tmp_path)
    assert sorted(p.name for p in built) == sorted(p.name for p in SHIPPED.glob("*.docx"))
    assert len(built) == len(BUILDERS) * len(LANGUAGES)
    for path in built:
        for part in ("word/document.xml", "word/styles.xml", "word/fontTable.xml",
                     "word/footer1.xml"):
            with zipfile.ZipFile(path) as new, zipfile.ZipFile(SHIPPED / path.name) as shipped:
                assert new.read(part) == shipped.read(part), f"{path.name} {part}: run " \
                    "python -m workflow.documents.build_templates and commit the templates"


def _context(kind: str) -> dict[str, object]:
    """A value for every placeholder of the kind: lists of paragraphs or of rows."""
    context: dict[str, object] = {name: f"<{name}>" for name in PLACEHOLDERS[kind]}
    for name in ("description", "requirement", "conclusion", "text", "addressee_list"):
        if name in context:
            context[name] = [f"<{name} 1>", f"<{name} 2>"]
    for name, columns in ROW_FIELDS.items():
        if name in context:
            context[name] = [{c: f"<{c} {i}>" for c in columns} for i in (1, 2)]
    return context


SHOWN = {"notice": ("code", "title", "unit", "due_date", "date"),
         "letter": ("number", "subject", "addressees", "reply_due_date", "date"),
         "closure": ("code", "title", "unit", "due_date", "closed_by", "closed_on", "date"),
         "campaign_list": ("period", "campaign", "total", "date")}


@pytest.mark.parametrize("kind", sorted(PLACEHOLDERS))
@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_shipped_template_fills_from_its_placeholders_alone(kind, lang):
    document = docx.Document(BytesIO(render_document(kind, _context(kind), lang)))
    text = "\n".join([p.text for p in document.paragraphs] + [
        c.text for t in document.tables for r in t.rows for c in r.cells])
    assert "{{" not in text and "{%" not in text
    assert document.paragraphs[0].text == "<issuer>"
    for name in SHOWN[kind]:
        assert f"<{name}>" in text, name
    for name in ROW_FIELDS:
        if name in PLACEHOLDERS[kind]:
            rows = [[c.text for c in r.cells] for r in document.tables[-1].rows]
            assert len(rows) == 3 and rows[2][1].endswith(" 2>")  # header + one per item
            header = document.tables[-1].rows[0]._tr
            assert header.xpath("./w:trPr/w:tblHeader"), "the header row repeats on each page"


def test_a_missing_placeholder_value_is_an_error_not_a_blank():
    context = _context("notice")
    del context["due_date"]
    with pytest.raises(DocumentTemplateError) as info:
        render_document("notice", context, "zh")
    assert info.value.name == "notice.zh.docx" and "due_date" in info.value.problem


def test_file_names_are_safe_and_downloads_name_them_twice():
    assert safe_filename('a/b\\c:"d"*?<>|\x01') == "a_b_c__d_______.docx"
    assert safe_filename("../..") == "_.docx"
    header = content_disposition("整改通知书-2026-0012.docx")
    assert header == ('attachment; filename="2026-0012.docx"; filename*=UTF-8\'\''
                      '%E6%95%B4%E6%94%B9%E9%80%9A%E7%9F%A5%E4%B9%A6-2026-0012.docx')
    assert content_disposition('提醒函-"x"\r\n.docx').count('"') == 2  # no header injection
    assert "\r" not in content_disposition("提醒函\r\n.docx")
