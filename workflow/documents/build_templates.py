"""Build the shipped document templates (templates/<kind>.<lang>.docx): python -m
workflow.documents.build_templates [folder]. An organisation replaces any of them in Word or WPS;
the placeholders each kind offers are listed in workflow.documents.render.PLACEHOLDERS."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from docx.document import Document as DocumentObject
from docx.shared import Pt

from workflow.documents import styling as s

SHIPPED = Path(__file__).parent / "templates"
# A table cell holding a list of paragraphs, one cell paragraph each.
PARAGRAPHS = "{{%p for paragraph in {} %}}\n{{{{ paragraph }}}}\n{{%p endfor %}}"

# The wording of each template, by language; {{ ... }} and {% ... %} are docxtpl placeholders.
WORDS = {
    "zh": {
        "notice": "整改通知书", "letter": "提醒函", "closure": "销号确认单", "list": "问题清单",
        "code": "问题编号：{{ code }}", "to": "{{ unit }}：", "to_addressees": "{{ addressees }}：",
        "notice_intro": "经检查，你单位存在以下问题，现通知你单位限期整改。",
        "h_finding": "一、问题：{{ title }}", "h_requirement": "二、整改要求",
        "h_due": "三、整改期限",
        "due": "{% if due_date %}请于{{ due_date }}前完成整改，并报送整改情况和佐证材料。"
               "{% else %}整改期限另行通知。{% endif %}",
        "reply": "{% if reply_due_date %}请于{{ reply_due_date }}前书面回复。{% endif %}",
        "seal": "（盖章）",
        "f_code": "问题编号", "f_title": "问题", "f_unit": "责任单位", "f_requirement": "整改要求",
        "f_due": "整改期限", "f_conclusion": "复查结论", "f_by": "确认人", "f_closed": "销号日期",
        "evidence": "佐证材料清单（共{{ evidence|length }}份）",
        "ev_header": "序号|文件名|大小|SHA-256（前12位）|提交人|提交时间",
        "list_title": "{{ campaign }}问题清单",
        "list_intro": "截至{{ date }}，共{{ total }}个问题。",
        "list_header": "序号|问题编号|责任单位|问题|严重程度|整改期限|状态|销号时间",
    },
    "en": {
        "notice": "Rectification Notice", "letter": "Reminder Letter",
        "closure": "Closure Confirmation", "list": "Findings List",
        "code": "Finding {{ code }}", "to": "To: {{ unit }}",
        "to_addressees": "To: {{ addressees }}",
        "notice_intro": "The inspection found the following problem in your unit. You are "
                        "required to rectify it by the due date.",
        "h_finding": "1. Finding: {{ title }}", "h_requirement": "2. Requirement",
        "h_due": "3. Due date",
        "due": "{% if due_date %}Complete the rectification by {{ due_date }} and report what "
               "was done, with evidence.{% else %}The due date will be set later.{% endif %}",
        "reply": "{% if reply_due_date %}Please reply in writing by {{ reply_due_date }}."
                 "{% endif %}",
        "seal": "(Seal)",
        "f_code": "Finding", "f_title": "Title", "f_unit": "Responsible unit",
        "f_requirement": "Requirement", "f_due": "Due date", "f_conclusion": "Conclusion",
        "f_by": "Confirmed by", "f_closed": "Closed on",
        "evidence": "Evidence ({{ evidence|length }} files)",
        "ev_header": "No.|File|Size|SHA-256 (first 12)|By|When",
        "list_title": "{{ campaign }}: Findings List",
        "list_intro": "As of {{ date }}: {{ total }} findings.",
        "list_header": "No.|Code|Unit|Title|Severity|Due|State|Closed",
    },
}


def _head(doc: DocumentObject, number: str) -> None:
    s.red_header(doc, "{{ issuer }}")
    s.document_number(doc, number)
    s.red_rule(doc)


def notice(words: dict[str, str]) -> DocumentObject:
    doc = s.new_document()
    _head(doc, words["code"])
    s.title(doc, words["notice"])
    s.line(doc, words["to"], indent=False)
    s.line(doc, words["notice_intro"])
    s.line(doc, words["h_finding"], heading=True)
    s.loop(doc, "paragraph", "description")
    s.line(doc, words["h_requirement"], heading=True)
    s.loop(doc, "paragraph", "requirement")
    s.line(doc, words["h_due"], heading=True)
    s.line(doc, words["due"])
    s.seal(doc, "{{ issuer }}", words["seal"], "{{ date }}")
    doc.core_properties.title = words["notice"] + " {{ code }}"
    return doc


def letter(words: dict[str, str]) -> DocumentObject:
    doc = s.new_document()
    _head(doc, "{{ number }}")
    s.title(doc, "{{ subject }}")
    s.line(doc, words["to_addressees"], indent=False)
    s.loop(doc, "paragraph", "text")
    s.line(doc, words["reply"])
    s.seal(doc, "{{ issuer }}", words["seal"], "{{ date }}")
    doc.core_properties.title = words["letter"] + " {{ number }}"
    return doc


def closure(words: dict[str, str]) -> DocumentObject:
    doc = s.new_document()
    _head(doc, words["code"])
    s.title(doc, words["closure"])
    s.facts(doc, [(words["f_code"], "{{ code }}"), (words["f_title"], "{{ title }}"),
                  (words["f_unit"], "{{ unit }}"),
                  (words["f_requirement"], PARAGRAPHS.format("requirement")),
                  (words["f_due"], "{{ due_date }}"),
                  (words["f_conclusion"], PARAGRAPHS.format("conclusion")),
                  (words["f_by"], "{{ closed_by }}"), (words["f_closed"], "{{ closed_on }}")],
            (40, 116))
    s.line(doc, words["evidence"], indent=False, heading=True).paragraph_format.space_before = \
        Pt(12)
    s.table(doc, words["ev_header"].split("|"), ["{{ row.index }}", "{{ row.name }}", "{{ row.size }}",
                                           "{{ row.sha256 }}", "{{ row.by }}", "{{ row.at }}"],
            [12, 48, 18, 30, 24, 24], rows="evidence", size=10.5)
    s.seal(doc, "{{ issuer }}", words["seal"], "{{ date }}")
    doc.core_properties.title = words["closure"] + " {{ code }}"
    return doc


def campaign_list(words: dict[str, str]) -> DocumentObject:
    doc = s.new_document(landscape=True)
    _head(doc, "{{ period }}")
    s.title(doc, words["list_title"])
    s.line(doc, words["list_intro"])
    s.table(doc, words["list_header"].split("|"),
            ["{{ row.index }}", "{{ row.code }}", "{{ row.unit }}", "{{ row.title }}",
             "{{ row.severity }}", "{{ row.due_date }}", "{{ row.state }}", "{{ row.closed_at }}"],
            [12, 26, 36, 72, 20, 24, 26, 27], size=10.5)
    s.seal(doc, "{{ issuer }}", words["seal"], "{{ date }}")
    doc.core_properties.title = words["list_title"]
    return doc


BUILDERS: dict[str, Callable[[dict[str, str]], DocumentObject]] = {
    "notice": notice, "letter": letter, "closure": closure, "campaign_list": campaign_list}


def build(folder: Path = SHIPPED) -> list[Path]:
    """Write every kind in every language into folder; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, builder in BUILDERS.items():
        for lang, words in WORDS.items():
            path = folder / f"{kind}.{lang}.docx"
            builder(words).save(str(path))
            written.append(path)
    return written


if __name__ == "__main__":
    for written_path in build(Path(sys.argv[1]) if len(sys.argv) > 1 else SHIPPED):
        print(written_path)
