"""Helpers for the document tests: a campaign, a closed finding, a letter, reading a DOCX back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from io import BytesIO
from typing import Any

import docx

from workflow.models import Letter, LetterAddressee, Unit, User
from workflow.runtime import Rectify
from workflow.services.directory import create_campaign, create_inspection


@dataclass
class Campaign:
    id: int
    inspection_a: int  # at group_a
    inspection_b: int  # at group_b


def make_campaign(rectify: Rectify, org: object) -> Campaign:
    """A campaign organised by the inspection body with an inspection at each group."""
    with rectify.unit_of_work() as uow:
        body = uow.session.get(Unit, org.inspection_body.id)  # type: ignore[attr-defined]
        campaign = create_campaign(uow.session, "2026年安全生产专项检查", body, date(2026, 3, 1),
                                   date(2026, 6, 30))
        inspections = [create_inspection(uow.session, uow.session.get(Unit, unit.id), date(2026, 3, 2),
                                         "onsite", campaign).id
                       for unit in (org.group_a, org.group_b)]  # type: ignore[attr-defined]
        uow.commit()
        return Campaign(campaign.id, *inspections)


DESCRIPTION = "仓库消防通道堆放纸箱。\n夜间无人值守。"
CONCLUSION = "经现场复查，通道已清理，整改到位，同意销号。"


def close_one(flow: Any, campaign: Campaign) -> Any:
    """A finding of the campaign at group_a, assigned, rectified with a photo, confirmed with
    CONCLUSION; as loaded after closing."""
    finding = flow.raise_(title="消防通道堵塞", description=DESCRIPTION,
                          inspection_id=campaign.inspection_a)
    flow.drive(finding.id, "assign", "report_rectification", "revisit")
    flow.fire(finding.id, "confirm", payload={"conclusion": CONCLUSION})
    return flow.finding(finding.id)


def make_letter(rectify: Rectify, body: Unit, addressees: list[Unit], author: User,
                finding_id: int | None = None) -> int:
    """A numbered reminder letter from body to the addressees (written directly, as sent)."""
    with rectify.unit_of_work() as uow:
        letter = Letter(kind="reminder", number="苏纪提〔2026〕12号", body_id=body.id, year=2026,
                        seq=12, issued_on=date(2026, 11, 29), subject="关于加快防护服生产的提醒函",
                        text="你单位防护服日产量未达要求。\n请协调解决用工短缺问题。",
                        reply_due_date=date(2026, 12, 10), finding_id=finding_id,
                        created_by_id=author.id)
        letter.addressees = [LetterAddressee(unit_id=unit.id) for unit in addressees]
        uow.session.add(letter)
        uow.commit()
        return letter.id


def read_docx(data: bytes) -> docx.document.Document:
    assert data[:2] == b"PK", "a DOCX is a zip file"
    return docx.Document(BytesIO(data))


def text_of(document: docx.document.Document) -> str:
    """Every paragraph's text, then every table cell's, one per line."""
    lines = [p.text for p in document.paragraphs]
    lines += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(lines)


def table_rows(document: docx.document.Document, index: int = -1) -> list[list[str]]:
    """The rows of a table (the last by default) as lists of cell texts."""
    return [[cell.text for cell in row.cells] for row in document.tables[index].rows]
