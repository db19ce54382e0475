"""Building blocks of an official document (GB/T 9704 layout) for build_templates.py: page, red
header, red rule, title, body paragraphs, tables with docxtpl row loops, seal area, page numbers."""

from __future__ import annotations

from datetime import UTC, datetime

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

RED = RGBColor(0xE6, 0x00, 0x12)
# Fonts of Chinese official documents, each with the font Word or WPS uses when it is missing.
TITLE_FONT = "FZXiaoBiaoSong-B05S"  # 方正小标宋: the issuing body's mark and the title
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
LATIN_FONT = "Times New Roman"
FALLBACKS = {TITLE_FONT: "SimSun", BODY_FONT: "FangSong", HEADING_FONT: "SimHei"}
BODY_SIZE = Pt(16)  # 三号
LINE = Pt(28)  # 22 lines to a page
FIXED_DATE = datetime(2026, 1, 1, tzinfo=UTC)  # the templates are rebuilt byte-stable


def new_document(landscape: bool = False) -> DocumentObject:
    """An A4 document with GB/T 9704 margins (top 37 mm, bottom 35, left 28, right 26), body text
    in 仿宋 三号 on a fixed 28 pt line, and a centred page number (— 1 —) in the footer."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = doc.styles["Normal"]
    normal.font.size = BODY_SIZE
    set_fonts(normal.element, BODY_FONT)
    fmt = normal.paragraph_format
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, LINE
    fmt.space_before = fmt.space_after = Pt(0)
    _page_number(section.footer.paragraphs[0])
    _declare_fallbacks(doc)
    _drop_thumbnail(doc)
    doc.core_properties.author = "Rectify"
    doc.core_properties.created = doc.core_properties.modified = FIXED_DATE
    return doc


def set_fonts(element: object, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Set a run's or style's fonts: Chinese text in east_asia, Latin text in latin."""
    rpr = element.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for key, value in (("w:ascii", latin), ("w:hAnsi", latin), ("w:eastAsia", east_asia)):
        fonts.set(qn(key), value)


def text_run(paragraph: Paragraph, text: str, font: str = BODY_FONT, size: Pt = BODY_SIZE,
             bold: bool = False, red: bool = False) -> None:
    run = paragraph.add_run(text)
    run.font.size, run.font.bold = size, bold
    if red:
        run.font.color.rgb = RED
    set_fonts(run._r, font)


def red_header(doc: DocumentObject, text: str) -> None:
    """The issuing body's mark: red, large, centred, in 方正小标宋."""
    paragraph = centred(doc, space_after=12)
    paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    text_run(paragraph, text, TITLE_FONT, Pt(36), red=True)


def document_number(doc: DocumentObject, text: str) -> None:
    """The document number, centred above the red rule."""
    text_run(centred(doc), text)


def red_rule(doc: DocumentObject) -> None:
    """The red line under the header (a red bottom border on an empty paragraph)."""
    paragraph = doc.add_paragraph()
    paragraph.paragraph_format.space_after = Pt(18)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "18"), ("w:space", "1"),
                       ("w:color", str(RED))):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def title(doc: DocumentObject, text: str) -> None:
    paragraph = centred(doc, space_after=16)
    paragraph.paragraph_format.line_spacing = Pt(36)
    text_run(paragraph, text, TITLE_FONT, Pt(22))


def centred(doc: DocumentObject, space_after: float = 0) -> Paragraph:
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_after = Pt(space_after)
    return paragraph


def line(doc: DocumentObject, text: str, indent: bool = True, heading: bool = False) -> Paragraph:
    """A body paragraph (first line indented two characters), or a 黑体 heading (一、...)."""
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(32)
    text_run(paragraph, text, HEADING_FONT if heading else BODY_FONT)
    return paragraph


def loop(doc: DocumentObject, name: str, items: str) -> None:
    """One indented paragraph per item of a list of paragraphs (docxtpl {%p for %})."""
    doc.add_paragraph("{%p for " + name + " in " + items + " %}")
    line(doc, "{{ " + name + " }}")
    doc.add_paragraph("{%p endfor %}")


def seal(doc: DocumentObject, body: str, stamp: str, when: str) -> None:
    """The seal area at the foot: issuing body, （盖章）, date, right-aligned."""
    doc.add_paragraph().paragraph_format.space_before = Pt(24)
    for text in (body, stamp, when):
        paragraph = doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.paragraph_format.right_indent = Pt(32)
        text_run(paragraph, text)


def table(doc: DocumentObject, header: list[str], cells: list[str], widths: list[float],
          rows: str = "rows", size: float = 12) -> Table:
    """A bordered table: a header row (repeated on every page), then one row per item of `rows`
    (docxtpl {%tr for %})."""
    grid: Table = doc.add_table(rows=4, cols=len(header))
    grid.style = doc.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    contents = [header, ["{%tr for row in " + rows + " %}"] + [""] * (len(header) - 1), cells,
                ["{%tr endfor %}"] + [""] * (len(header) - 1)]
    grid.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))  # repeats on each page
    for row, texts in zip(grid.rows, contents, strict=True):
        for cell, text, width in zip(row.cells, texts, widths, strict=True):
            cell.width = Mm(width)
            paragraph = cell.paragraphs[0]
            paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
            text_run(paragraph, text, HEADING_FONT if texts is header else BODY_FONT, Pt(size))
    return grid


def facts(doc: DocumentObject, pairs: list[tuple[str, str]], widths: tuple[float, float]) -> None:
    """A two-column bordered table of label / value (the closure form's upper half); a value
    with line breaks becomes several paragraphs of its cell."""
    grid = doc.add_table(rows=len(pairs), cols=2)
    grid.style = doc.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for row, (label, value) in zip(grid.rows, pairs, strict=True):
        for cell, text, width, font in zip(row.cells, (label, value), widths,
                                           (HEADING_FONT, BODY_FONT), strict=True):
            cell.width = Mm(width)
            for index, part in enumerate(text.split("\n")):  # one cell paragraph per line
                paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
                paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
                text_run(paragraph, part, font, Pt(14))


def _page_number(paragraph: Paragraph) -> None:
    """'— 1 —' centred: the page number as a field Word and WPS fill in."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    text_run(paragraph, "— ", LATIN_FONT, Pt(14))
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
    text_run(paragraph, " —", LATIN_FONT, Pt(14))


def _declare_fallbacks(doc: DocumentObject) -> None:
    """Name, in the font table, the font to use where a document font is missing (w:altName):
    方正小标宋 -> SimSun, 仿宋_GB2312 -> FangSong, 黑体 -> SimHei; all GB2312 (charset 86)."""
    part = next(p for p in doc.part.package.iter_parts() if p.partname == "/word/fontTable.xml")
    xml = part.blob.decode("utf-8")
    entries = "".join(
        f'<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:charset w:val="86"/>'
        f'<w:family w:val="{"modern" if name == HEADING_FONT else "roman"}"/>'
        f'<w:pitch w:val="variable"/></w:font>'
        for name, alt in FALLBACKS.items())
    part._blob = xml.replace("</w:fonts>", entries + "</w:fonts>").encode("utf-8")


def _drop_thumbnail(doc: DocumentObject) -> None:
    """python-docx's blank document carries a picture of itself as the file's thumbnail."""
    rels = doc.part.package.rels
    for key in [k for k, rel in rels.items() if rel.reltype == RT.THUMBNAIL]:
        del rels[key]
