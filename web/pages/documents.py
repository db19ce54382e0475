"""Official documents: DOCX downloads and printable pages (A4, print CSS) of the same content,
for a finding (整改通知书, 销号确认单), a letter (提醒函) and a campaign (问题清单)."""

from __future__ import annotations

from flask import Response, render_template, request, url_for
from flask_babel import force_locale

from web.auth import actor
from web.downloads import docx_response
from web.i18n import lang
from web.pages import bp
from web.uow import get_uow
from workflow.models import Finding
from workflow.services import documents
from workflow.services.directory import campaign_in_view
from workflow.services.document_facts import confirmed_closed

# The DOCX of each printable page (same view arguments: the record's id).
DOCX_ENDPOINTS = {"notice": "pages.notice_docx", "closure": "pages.closure_docx",
                  "letter": "pages.letter_docx", "campaign_list": "pages.campaign_list_docx"}


def document_lang() -> str:
    """The document's language: ?lang=zh|en, else the language of the page."""
    chosen = request.args.get("lang")
    return chosen if chosen in ("zh", "en") else lang()


def printable(prepared: documents.Prepared, back: str | None = None) -> str:
    """The printable page of a document, worded in the document's language; its Back link goes
    to `back`, else to the page of this site the user came from, else to My work."""
    came_from = request.referrer or ""
    if back is None:
        back = came_from if came_from.startswith(request.host_url) else url_for("pages.work")
    download = url_for(DOCX_ENDPOINTS[prepared.kind], lang=prepared.lang,
                       **(request.view_args or {}))
    with force_locale("zh_CN" if prepared.lang == "zh" else "en"):
        return render_template(f"documents/{prepared.kind}.html", doc=prepared.context,
                               prepared=prepared, back_url=back, download_url=download)


@bp.route("/findings/<int:finding_id>/documents/notice.docx")
def notice_docx(finding_id: int) -> Response:
    return docx_response(*documents.notice_document(get_uow(), actor(), finding_id,
                                                    document_lang()))


@bp.route("/findings/<int:finding_id>/documents/closure.docx")
def closure_docx(finding_id: int) -> Response:
    return docx_response(*documents.closure_document(get_uow(), actor(), finding_id,
                                                     document_lang()))


@bp.route("/letters/<int:letter_id>/document.docx")
def letter_docx(letter_id: int) -> Response:
    return docx_response(*documents.letter_document(get_uow(), actor(), letter_id,
                                                    document_lang()))


@bp.route("/campaigns/<int:campaign_id>/documents/list.docx")
def campaign_list_docx(campaign_id: int) -> Response:
    return docx_response(*documents.campaign_list_document(get_uow(), actor(), campaign_id,
                                                           document_lang()))


@bp.route("/findings/<int:finding_id>/print/notice")
def notice_print(finding_id: int) -> str:
    return printable(documents.prepare_notice(get_uow(), actor(), finding_id, document_lang()),
                     url_for("pages.finding_page", finding_id=finding_id))


@bp.route("/findings/<int:finding_id>/print/closure")
def closure_print(finding_id: int) -> str:
    return printable(documents.prepare_closure(get_uow(), actor(), finding_id, document_lang()),
                     url_for("pages.finding_page", finding_id=finding_id))


@bp.route("/letters/<int:letter_id>/print")
def letter_print(letter_id: int) -> str:
    return printable(documents.prepare_letter(get_uow(), actor(), letter_id, document_lang()))


@bp.route("/campaigns/<int:campaign_id>/print/list")
def campaign_list_print(campaign_id: int) -> str:
    return printable(documents.prepare_campaign_list(get_uow(), actor(), campaign_id,
                                                     document_lang()))


@bp.app_template_global("closure_available")
def closure_available(finding: Finding) -> bool:
    """Whether the finding page offers the closure confirmation (confirmed and closed only)."""
    return confirmed_closed(get_uow(), finding)


@bp.app_template_global("campaign_list_available")
def campaign_list_available(finding: Finding) -> bool:
    """Whether the finding page offers its campaign's findings list (the campaign in view)."""
    return finding.campaign_id is not None and campaign_in_view(
        get_uow().session, actor(), finding.campaign_id) is not None
