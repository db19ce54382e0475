"""Fill a document template (docxtpl: a Word file with Jinja placeholders) and return the DOCX bytes.

The template of a kind and language is `<kind>.<lang>.docx`; a file of that name in the
organisation's folder (RECTIFY_DOCUMENT_TEMPLATES) replaces the shipped one. Placeholders run in
a sandbox, escaped, and a name a document does not have is an error, never a silent blank."""

from __future__ import annotations

import logging
from io import BytesIO
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

from docx.opc.exceptions import PackageNotFoundError
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from lxml.etree import XMLSyntaxError

from workflow.errors import DocumentTemplateError

log = logging.getLogger(__name__)
SHIPPED = Path(__file__).parent / "templates"
LANGUAGES = ("zh", "en")
# What each kind of document offers its template (lists are of paragraphs or of table rows).
PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    "notice": ("issuer", "code", "title", "description", "unit", "requirement", "due_date",
               "severity", "category", "date"),
    "letter": ("issuer", "number", "subject", "addressees", "addressee_list", "text",
               "reply_due_date", "finding_code", "date"),
    "closure": ("issuer", "code", "title", "unit", "requirement", "due_date", "conclusion",
                "closed_by", "closed_on", "evidence", "date"),
    "campaign_list": ("issuer", "period", "campaign", "rows", "total", "date"),
}
# Columns of the table rows: closure evidence, campaign list rows.
ROW_FIELDS = {"evidence": ("index", "name", "size", "sha256", "by", "at"),
              "rows": ("index", "code", "unit", "title", "severity", "due_date", "state",
                       "closed_at")}
_BROKEN = (BadZipFile, KeyError, PackageNotFoundError, TemplateError, XMLSyntaxError, ValueError)


class _Template(DocxTemplate):  # type: ignore[misc]
    """docxtpl's template, without its rewrite of tabs and line breaks in every paragraph (for
    its Listing values; Rectify passes multi-line text as lists of paragraphs): that rewrite
    was half the time of a long findings list."""

    def resolve_listing(self, xml: str) -> str:
        return xml


def template_name(kind: str, lang: str) -> str:
    if kind not in PLACEHOLDERS or lang not in LANGUAGES:
        raise ValueError(f"no document {kind!r} in {lang!r}")
    return f"{kind}.{lang}.docx"


def template_path(kind: str, lang: str, template_dir: Path | None = None) -> Path:
    """The organisation's template of that name when its folder has one, else the shipped one."""
    name = template_name(kind, lang)
    if template_dir is not None and (template_dir / name).is_file():
        return template_dir / name
    return SHIPPED / name


def render_document(kind: str, context: dict[str, Any], lang: str,
                    template_dir: Path | None = None) -> bytes:
    """The DOCX bytes of this kind of document in this language, filled from context;
    DocumentTemplateError (naming the file) when the template cannot be used."""
    path = template_path(kind, lang, template_dir)
    environment = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)
    try:
        template = _Template(str(path))
        template.render(context, jinja_env=environment)
        out = BytesIO()
        template.save(out)
    except _BROKEN as exc:
        log.warning("document template %s cannot be used: %s", path, _problem(exc))
        raise DocumentTemplateError(path.name, _problem(exc)) from exc
    return out.getvalue()


def _problem(exc: Exception) -> str:
    """What is wrong with the template, in words an office can act on."""
    if isinstance(exc, BadZipFile | PackageNotFoundError | KeyError):
        return "not a Word document (.docx)"
    line = getattr(exc, "lineno", None)
    where = f" (near paragraph {line})" if isinstance(line, int) else ""
    return f"{type(exc).__name__}: {exc}{where}"
