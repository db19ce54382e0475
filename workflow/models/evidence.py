"""Evidence files (content-addressed attachments) and which findings refer to them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.models.base import Base, UTCDateTime, utcnow
from workflow.models.core import Finding


class Attachment(Base):
    """Evidence file, content-addressed by sha256 and stored under the instance folder."""

    __tablename__ = "attachments"
    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(100))
    original_name: Mapped[str] = mapped_column(String(255))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # One row per uploader of the same bytes (the file on disk is shared): nobody learns
    # another user's file name, and everybody may reuse what they uploaded themselves.
    __table_args__ = (UniqueConstraint("sha256", "uploaded_by_id",
                                       name="uq_attachments_sha256_uploader"),)


class FindingAttachment(Base):
    """Which attachments a finding's events refer to: evidence is readable only through them."""

    __tablename__ = "finding_attachments"
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id"), primary_key=True)
    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachments.id"), primary_key=True)
    finding: Mapped[Finding] = relationship()
    attachment: Mapped[Attachment] = relationship()
