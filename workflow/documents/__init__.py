"""Official documents (整改通知书, 提醒函, 销号确认单, 问题清单) as DOCX from replaceable templates."""

from workflow.documents.dates import chinese_date, document_date, english_date
from workflow.documents.render import PLACEHOLDERS, render_document, template_path

__all__ = ["PLACEHOLDERS", "chinese_date", "document_date", "english_date", "render_document",
           "template_path"]
