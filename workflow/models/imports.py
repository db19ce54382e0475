"""Rows brought in from spreadsheets: each row's key, once per raising body, and its finding."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.models.base import Base, UTCDateTime, utcnow
from workflow.models.core import Finding


class ImportRow(Base):
    """One imported spreadsheet row: its key (the file's key column, or a hash of its content)
    is unique per raising body, so importing the same file again creates nothing twice."""

    __tablename__ = "import_rows"
    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    row_key: Mapped[str] = mapped_column(String(128))
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id"), index=True)
    batch: Mapped[str] = mapped_column(String(32), index=True)  # one import, one batch
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    imported_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    finding: Mapped[Finding] = relationship()

    __table_args__ = (UniqueConstraint("body_id", "row_key", name="uq_import_rows_body_key"),)
