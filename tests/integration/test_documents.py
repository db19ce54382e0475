"""Official documents from findings, letters and campaigns (SQLite and PostgreSQL): generated in zh
and en and read back with python-docx; scope; closure only once closed; the organisation's
templates replace the shipped ones, and a broken one is a clear error naming the file."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from datetime import timedelta

import pytest
from document_support import (
    CONCLUSION,
    close_one,
    make_campaign,
    make_letter,
    read_docx,
    table_rows,
    text_of,
)
from pypdf import PdfReader

from workflow.documents import chinese_date, english_date
from workflow.documents.render import PLACEHOLDERS, ROW_FIELDS
from workflow.errors import DocumentTemplateError, DocumentUnavailable, UnknownFinding, UnknownLetter
from workflow.runtime import Rectify
from workflow.services import document_facts, documents


@pytest.fixture
def campaign(rectify, org):
    return make_campaign(rectify, org)


@pytest.fixture
def closed(flow, campaign):
    return close_one(flow, campaign)


def generate(rectify, function, actor, record_id, lang):
    with rectify.unit_of_work(write=False) as uow:
        return function(uow, actor, record_id, lang)


def test_the_notice_in_chinese_has_the_finding_requirement_and_dates(rectify, org, closed):
    name, data = generate(rectify, documents.notice_document, org.handler_a, closed.id, "zh")
    assert name == f"整改通知书-{closed.code}.docx"
    document = read_docx(data)
    text = text_of(document)
    lines = [p.text for p in document.paragraphs]
    assert lines[0] == "第一纪检监察组" and lines[1] == f"问题编号：{closed.code}"
    assert "整改通知书" in lines and "甲集团：" in lines
    assert "一、问题：消防通道堵塞" in lines
    assert "仓库消防通道堆放纸箱。" in lines and "夜间无人值守。" in lines  # one paragraph each
    assert "Clear the exits, name a fire warden" in lines  # the requirement given on assign
    assert f"请于{chinese_date(closed.due_date)}前完成整改" in text
    assert lines[-3:] == ["第一纪检监察组", "（盖章）", "二〇二六年三月二日"]  # the day assigned


def test_the_notice_looks_like_an_official_document(rectify, org, closed):
    document = read_docx(generate(rectify, documents.notice_document, org.admin, closed.id,
                                  "zh")[1])
    section = document.sections[0]
    millimetres = [round(length.mm) for length in (
        section.page_width, section.page_height, section.top_margin, section.bottom_margin,
        section.left_margin, section.right_margin)]
    assert millimetres == [210, 297, 37, 35, 28, 26]  # A4, GB/T 9704 margins
    header = document.paragraphs[0].runs[0]
    assert str(header.font.color.rgb) == "E60012" and header.font.size.pt == 36
    fonts = header._r.rPr.rFonts
    assert fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") \
        == "FZXiaoBiaoSong-B05S"
    rule = document.paragraphs[2]._p.pPr.xpath("./w:pBdr/w:bottom")[0]
    assert rule.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}color") \
        == "E60012"


def test_the_notice_in_english(rectify, org, closed):
    name, data = generate(rectify, documents.notice_document, org.inspector, closed.id, "en")
    assert name == f"rectification-notice-{closed.code}.docx"
    lines = [p.text for p in read_docx(data).paragraphs]
    assert lines[0] == "Inspection body 1" and "Rectification Notice" in lines
    assert "To: Group A" in lines and "1. Finding: 消防通道堵塞" in lines
    assert f"Complete the rectification by {english_date(closed.due_date)} and report what " \
           "was done, with evidence." in lines
    assert lines[-3:] == ["Inspection body 1", "(Seal)", "2 March 2026"]


def test_the_closure_confirmation_has_the_conclusion_and_the_evidence(rectify, org, flow,
                                                                      closed):
    name, data = generate(rectify, documents.closure_document, org.handler_a, closed.id, "zh")
    assert name == f"销号确认单-{closed.code}.docx"
    document = read_docx(data)
    facts = dict(table_rows(document, 0))
    assert facts["问题编号"] == closed.code and facts["责任单位"] == "甲集团"
    assert facts["复查结论"] == CONCLUSION and facts["确认人"] == "复查员"
    assert facts["销号日期"] == "二〇二六年三月二日"
    assert facts["整改期限"] == chinese_date(closed.due_date)
    photo = next(e for e in flow.events(closed.id) if e.trigger == "report_rectification")
    digest = photo.payload["evidence"][0]
    rows = table_rows(document)
    assert rows[0] == ["序号", "文件名", "大小", "SHA-256（前12位）", "提交人", "提交时间"]
    assert rows[1:] == [["1", "photo-1.png", rows[1][2], digest[:12], "甲集团整改联络人",
                         "2026-03-02 09:00"]]
    assert rows[1][2].endswith(" B")
    assert "佐证材料清单（共1份）" in text_of(document)


def test_the_closure_confirmation_in_english(rectify, org, closed):
    name, data = generate(rectify, documents.closure_document, org.reviewer, closed.id, "en")
    assert name == f"closure-{closed.code}.docx"
    document = read_docx(data)
    facts = dict(table_rows(document, 0))
    assert facts["Closed on"] == "2 March 2026" and facts["Confirmed by"] == "复查员"
    assert table_rows(document)[0][:2] == ["No.", "File"]
    assert "Evidence (1 files)" in text_of(document)


def test_no_closure_confirmation_before_the_finding_is_closed_or_when_withdrawn(rectify, org,
                                                                                flow):
    open_one = flow.raise_()
    flow.drive(open_one.id, "assign", "report_rectification", "revisit")
    withdrawn = flow.raise_()
    flow.fire(withdrawn.id, "withdraw")
    for finding_id in (open_one.id, withdrawn.id):
        with pytest.raises(DocumentUnavailable) as info:
            generate(rectify, documents.closure_document, org.admin, finding_id, "zh")
        assert "尚未销号" in info.value.message["zh"]


def test_documents_of_a_finding_out_of_scope_are_not_found(rectify, org, closed):
    for function in (documents.notice_document, documents.closure_document):
        for outsider in (org.handler_b, org.handler_a1):  # another group; a unit below
            with pytest.raises(UnknownFinding):
                generate(rectify, function, outsider, closed.id, "zh")


def test_the_letter_with_its_number_addressees_and_reply_date(rectify, org, closed):
    letter_id = make_letter(rectify, org.inspection_body, [org.group_a, org.group_b],
                            org.inspector, closed.id)
    name, data = generate(rectify, documents.letter_document, org.handler_b, letter_id, "zh")
    assert name == "提醒函-苏纪提〔2026〕12号.docx"
    lines = [p.text for p in read_docx(data).paragraphs]
    assert lines[:2] == ["第一纪检监察组", "苏纪提〔2026〕12号"]
    assert "关于加快防护服生产的提醒函" in lines and "甲集团、乙集团：" in lines
    assert "你单位防护服日产量未达要求。" in lines and "请协调解决用工短缺问题。" in lines
    assert "请于二〇二六年十二月十日前书面回复。" in lines
    assert lines[-1] == "二〇二六年十一月二十九日"
    name, data = generate(rectify, documents.letter_document, org.handler_a, letter_id, "en")
    lines = [p.text for p in read_docx(data).paragraphs]
    assert name == "reminder-letter-苏纪提〔2026〕12号.docx"
    assert "To: Group A, Group B" in lines and lines[-1] == "29 November 2026"
    assert "Please reply in writing by 10 December 2026." in lines


def test_a_letter_is_seen_by_the_issuing_body_and_the_addressees_subtrees_only(rectify, org):
    letter_id = make_letter(rectify, org.inspection_body, [org.group_b], org.inspector)
    for reader in (org.admin, org.inspector, org.supervisor, org.handler_b):
        assert generate(rectify, documents.prepare_letter, reader, letter_id, "zh").context
    for outsider in (org.handler_a, org.handler_a1):  # a sibling group; not above the body
        with pytest.raises(UnknownLetter):
            generate(rectify, documents.letter_document, outsider, letter_id, "zh")
    with pytest.raises(UnknownLetter):
        generate(rectify, documents.letter_document, org.admin, letter_id + 1, "zh")


def test_the_campaign_list_has_a_row_per_finding_the_actor_may_see(rectify, org, flow, closed,
                                                                   campaign):
    other = flow.raise_(title="食堂卫生不达标", severity="high", unit=org.group_b.id,
                        inspection_id=campaign.inspection_b)
    flow.raise_(title="不在本次检查中")  # no campaign: never listed
    name, data = generate(rectify, documents.campaign_list_document, org.inspector, campaign.id,
                          "zh")
    assert name.startswith("问题清单-2026年安全生产专项检查-") and name.endswith(".docx")
    document = read_docx(data)
    rows = table_rows(document)
    assert rows[0] == ["序号", "问题编号", "责任单位", "问题", "严重程度", "整改期限", "状态", "销号时间"]
    assert rows[1] == ["1", closed.code, "甲集团", "消防通道堵塞", "较重",
                       closed.due_date.isoformat(), "已销号", "2026-03-02"]
    assert rows[2] == ["2", other.code, "乙集团", "食堂卫生不达标", "严重", "", "已发现", ""]
    assert len(rows) == 3
    assert "截至二〇二六年三月二日，共2个问题。" in text_of(document)
    assert [p.text for p in document.paragraphs][1] == "二〇二六年三月一日 — 二〇二六年六月三十日"
    mine = table_rows(read_docx(generate(rectify, documents.campaign_list_document, org.handler_b,
                                         campaign.id, "en")[1]))
    assert mine[0][:3] == ["No.", "Code", "Unit"]
    assert [row[1] for row in mine[1:]] == [other.code]  # group_b's handler sees its own only
    assert mine[1][4:7] == ["Serious", "", "Raised"]


def test_a_campaign_out_of_view_is_not_found(rectify, org, campaign):
    with pytest.raises(UnknownFinding):
        generate(rectify, documents.campaign_list_document, org.admin, campaign.id + 1, "zh")


def _with_templates(rectify: Rectify, folder) -> Rectify:
    settings = dataclasses.replace(rectify.settings, document_templates=folder)
    return Rectify(settings, clock=rectify.clock, registry=rectify.registry)


def test_a_template_in_the_organisations_folder_replaces_the_shipped_one(rectify, org, closed,
                                                                         tmp_path):
    from docx import Document
    custom = Document()
    custom.add_paragraph("本单位格式 {{ code }} {{ unit }} {{ due_date }}")
    custom.save(str(tmp_path / "notice.zh.docx"))
    replaced = _with_templates(rectify, tmp_path)
    try:
        lines = [p.text for p in read_docx(generate(
            replaced, documents.notice_document, org.admin, closed.id, "zh")[1]).paragraphs]
        assert lines == [f"本单位格式 {closed.code} 甲集团 {chinese_date(closed.due_date)}"]
        english = read_docx(generate(replaced, documents.notice_document, org.admin, closed.id,
                                     "en")[1])
        assert english.paragraphs[0].text == "Inspection body 1"  # no en file there: shipped
    finally:
        replaced.database.dispose()


@pytest.mark.parametrize("content, problem", [
    (b"not a zip at all", "not a Word document (.docx)"),
    ("{{ code ", "TemplateSyntaxError"),
    ("{{ no_such_field }}", "'no_such_field' is undefined"),
    ("{{ code.__class__.__mro__ }}", "SecurityError"),
])
def test_a_broken_template_is_an_error_naming_the_file(rectify, org, closed, tmp_path, content,
                                                      problem):
    from docx import Document
    if isinstance(content, bytes):
        (tmp_path / "closure.en.docx").write_bytes(content)
    else:
        custom = Document()
        custom.add_paragraph(content)
        custom.save(str(tmp_path / "closure.en.docx"))
    replaced = _with_templates(rectify, tmp_path)
    try:
        with pytest.raises(DocumentTemplateError) as info:
            generate(replaced, documents.closure_document, org.admin, closed.id, "en")
    finally:
        replaced.database.dispose()
    assert info.value.name == "closure.en.docx"
    assert problem in info.value.problem
    assert "closure.en.docx" in info.value.message["zh"] and problem in info.value.message["en"]


def test_text_with_markup_characters_is_escaped_not_interpreted(rectify, org, flow):
    finding = flow.raise_(title="<w:p>围挡 & 标识 {{ code }}</w:p>")
    flow.fire(finding.id, "assign", payload={"requirement": "A < B & C > D",
                                             "due_date": (flow.today() + timedelta(days=5))
                                             .isoformat()})
    lines = [p.text for p in read_docx(generate(rectify, documents.notice_document, org.admin,
                                                finding.id, "en")[1]).paragraphs]
    assert "1. Finding: <w:p>围挡 & 标识 {{ code }}</w:p>" in lines and "A < B & C > D" in lines


def test_each_context_offers_exactly_the_documented_placeholders(rectify, org, closed, campaign):
    letter_id = make_letter(rectify, org.inspection_body, [org.group_a], org.inspector)
    prepared = [generate(rectify, function, org.admin, record_id, "zh") for function, record_id in (
        (documents.prepare_notice, closed.id), (documents.prepare_closure, closed.id),
        (documents.prepare_letter, letter_id), (documents.prepare_campaign_list, campaign.id))]
    for content in prepared:
        assert set(content.context) == set(PLACEHOLDERS[content.kind]), content.kind
        for name, columns in ROW_FIELDS.items():
            for row in content.context.get(name, []):
                assert set(row) == set(columns), name


@pytest.mark.parametrize("backend", ["sqlite"])  # one backend: the conversion is the slow part
def test_libreoffice_converts_a_generated_document_to_pdf_with_its_text(rectify, org, closed,
                                                                        tmp_path):
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed here; CI installs "
                    "libreoffice-writer-nogui and runs this test")
    name, data = generate(rectify, documents.closure_document, org.reviewer, closed.id, "zh")
    source = tmp_path / "closure.docx"
    source.write_bytes(data)
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
                    "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=180)
    pages = PdfReader(tmp_path / "closure.pdf").pages
    text = "".join("".join(page.extract_text() for page in pages).split())  # no line breaks
    for expected in ("第一纪检监察组", "销号确认单", closed.code, "消防通道堵塞", CONCLUSION,
                     "photo-1.png", "二〇二六年三月二日", "（盖章）"):
        assert expected in text, expected


def test_a_campaign_list_too_long_for_a_document_is_refused_clearly(rectify, org, flow, closed,
                                                                    campaign, monkeypatch):
    monkeypatch.setattr(document_facts, "MAX_LIST_ROWS", 1)
    assert generate(rectify, documents.prepare_campaign_list, org.admin, campaign.id,
                    "zh").context["total"] == 1
    flow.raise_(inspection_id=campaign.inspection_b, unit=org.group_b.id)
    with pytest.raises(DocumentUnavailable) as info:
        generate(rectify, documents.campaign_list_document, org.admin, campaign.id, "en")
    assert "more than 1 findings" in info.value.message["en"]
