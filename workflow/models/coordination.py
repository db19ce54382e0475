"""Coordination across bodies: the parties to a finding, links between findings, and numbered
correspondence (提醒函 and other letters) with each addressee's reply."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.models.base import Base, UTCDateTime, utcnow
from workflow.models.core import Campaign, Finding, Unit, User
from workflow.models.evidence import Attachment


class FindingParty(Base):
    """A unit with a role on a finding besides its responsible unit: the body an escalation is
    addressed to, the lead coordinating body (牵头单位), a co-responsible unit (配合单位).

    An index for scope and lists, kept by the same function as `Finding.parties`, the audited
    column the event digest covers (workflow.services.parties)."""

    __tablename__ = "finding_parties"
    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))  # addressee | lead | co_responsible
    part: Mapped[str] = mapped_column(Text, default="")  # which part of the problem it owns
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # its part reported
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finding: Mapped[Finding] = relationship()
    unit: Mapped[Unit] = relationship()

    __table_args__ = (UniqueConstraint("finding_id", "unit_id", "role",
                                       name="uq_finding_parties_finding_unit_role"),)


class FindingLink(Base):
    """A 'related' link between two findings, shown on both; recurrence and parent/child links
    are columns of the finding itself. Added and removed through events on both findings."""

    __tablename__ = "finding_links"
    id: Mapped[int] = mapped_column(primary_key=True)
    from_id: Mapped[int] = mapped_column(ForeignKey("findings.id"), index=True)
    to_id: Mapped[int] = mapped_column(ForeignKey("findings.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="related")
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("from_id", "to_id", "kind",
                                       name="uq_finding_links_from_to_kind"),)


class LetterCounter(Base):
    """Per issuing body and year, the last document number given (〔2026〕12号)."""

    __tablename__ = "letter_counters"
    body_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True,
                                         autoincrement=False)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Letter(Base):
    """A numbered letter (提醒函 by default) from a body to one or several units, raised from a
    finding or a campaign; never edited once sent."""

    __tablename__ = "letters"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), default="reminder")
    number: Mapped[str] = mapped_column(String(64))  # "苏纪提〔2026〕12号"
    body_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    issued_on: Mapped[date]
    subject: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    reply_due_date: Mapped[date | None]
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("findings.id"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    body: Mapped[Unit] = relationship()
    finding: Mapped[Finding | None] = relationship()
    campaign: Mapped[Campaign | None] = relationship()
    created_by: Mapped[User] = relationship()
    addressees: Mapped[list[LetterAddressee]] = relationship(
        back_populates="letter", order_by="LetterAddressee.id")

    __table_args__ = (UniqueConstraint("body_id", "year", "seq", name="uq_letters_body_year_seq"),)


class LetterAddressee(Base):
    """One addressee of a letter and its reply (pending until replied)."""

    __tablename__ = "letter_addressees"
    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letters.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    replied_on: Mapped[date | None]
    reply_text: Mapped[str] = mapped_column(Text, default="")
    replied_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Reminders the tick sent for this reply ("due_soon overdue"), so none goes out twice.
    reminded: Mapped[str] = mapped_column(String(200), default="")
    letter: Mapped[Letter] = relationship(back_populates="addressees")
    unit: Mapped[Unit] = relationship()
    replied_by: Mapped[User | None] = relationship()

    __table_args__ = (UniqueConstraint("letter_id", "unit_id", name="uq_letter_addressees_unit"),
                      Index("ix_letter_addressees_pending", "unit_id", "replied_at"))


class LetterAttachment(Base):
    """A file attached to an addressee's reply: readable by the letter's sender and addressees."""

    __tablename__ = "letter_attachments"
    addressee_id: Mapped[int] = mapped_column(ForeignKey("letter_addressees.id"),
                                              primary_key=True)
    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachments.id"), primary_key=True)
    attachment: Mapped[Attachment] = relationship()
