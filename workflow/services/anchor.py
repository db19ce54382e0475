"""The record's fingerprint at a moment T, printed on reports and checked by `verify --anchor`.

Definition (version 1): take, for every finding with at least one event created at or before T,
its last such event (the highest seq with created_at <= T); order these by finding id; the
fingerprint is the lowercase hex sha256 of the UTF-8 text made of one line per finding,
``f"{finding code}\\t{seq}\\t{event hash}\\n"``. Each event hash chains every earlier event of its
finding (workflow.chain), so the fingerprint covers every event up to T. The short form printed
on paper is its first 20 hex digits in groups of four ("3f2a-91bc-0e4d-77a1-5c20").
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, func, select, true
from sqlalchemy.orm import Session

from workflow.chain import timestamp
from workflow.errors import InvalidInput
from workflow.models import Event, Finding
from workflow.services.stats_facts import micros

SHORT_DIGITS = 20
MIN_DIGITS = 16


@dataclass(frozen=True)
class Anchor:
    """The fingerprint of the record at `cutoff`, over `findings` chains and `events` events."""

    fingerprint: str
    cutoff: datetime
    events: int
    findings: int

    @property
    def short(self) -> str:
        head = self.fingerprint[:SHORT_DIGITS]
        return "-".join(head[i:i + 4] for i in range(0, SHORT_DIGITS, 4))

    @property
    def text(self) -> str:
        """What `rectify verify --anchor` takes: SHORT@CUTOFF (the cut-off in UTC ISO)."""
        return f"{self.short}@{timestamp(self.cutoff)}"


def count_findings(session: Session) -> int:
    """How many findings the fingerprint walks over at most (for a progress bar)."""
    return session.scalar(select(func.count()).select_from(Finding)) or 0


def chain_heads(session: Session, cutoff: datetime,
                batch: int = 500) -> Iterator[tuple[str, int, str, int]]:
    """(code, seq, hash, finding id) of each finding's last event at or before cutoff, by
    finding id, streamed in keyset batches of findings (memory stays flat); the database picks
    each head (one row per finding comes back, not every event). PostgreSQL walks each
    finding's events backwards from its newest (LATERAL, 4x faster there); SQLite, which has
    no LATERAL, groups a batch's events."""
    if session.get_bind().dialect.name == "postgresql":
        return _heads_lateral(session, cutoff, batch * 10)
    return _heads_grouped(session, cutoff, batch)


def _heads_lateral(session: Session, cutoff: datetime,
                   batch: int) -> Iterator[tuple[str, int, str, int]]:
    head = _lateral_head(cutoff)
    last_id = 0
    while True:
        page = session.execute(select(Finding.code, head.c.seq, head.c.hash, Finding.id)
                               .join(head, true()).where(Finding.id > last_id)
                               .order_by(Finding.id).limit(batch)).all()
        if not page:
            return
        yield from ((code, seq, digest, finding_id) for code, seq, digest, finding_id in page)
        last_id = page[-1][3]


def _lateral_head(cutoff: datetime) -> Any:
    """The (seq, hash) of Finding's last event at or before cutoff, as a LATERAL subquery."""
    return (select(Event.seq, Event.hash)
            .where(Event.finding_id == Finding.id, Event.created_at <= cutoff)
            .order_by(Event.seq.desc()).limit(1).lateral("head"))


def _heads_grouped(session: Session, cutoff: datetime,
                   batch: int) -> Iterator[tuple[str, int, str, int]]:
    last_id = 0
    while True:
        page = session.execute(select(Finding.id, Finding.code).where(Finding.id > last_id)
                               .order_by(Finding.id).limit(batch)).all()
        if not page:
            return
        heads = _event_heads(session, [finding_id for finding_id, _code in page], cutoff)
        for finding_id, code in page:
            if finding_id in heads:
                yield code, heads[finding_id][0], heads[finding_id][1], finding_id
        last_id = page[-1][0]


def _event_heads(session: Session, ids: list[int], cutoff: datetime) -> dict[int, tuple[int, str]]:
    """Finding id -> (seq, hash) of its last event at or before cutoff, for these findings (on
    PostgreSQL a LATERAL walk back from each one's newest)."""
    if session.get_bind().dialect.name == "postgresql":
        head = _lateral_head(cutoff)
        return {finding_id: (seq, digest) for finding_id, seq, digest in session.execute(
            select(Finding.id, head.c.seq, head.c.hash).join(head, true())
            .where(Finding.id.in_(ids)))}
    last = (select(Event.finding_id, func.max(Event.seq).label("seq"))
            .where(Event.finding_id.in_(ids), Event.created_at <= cutoff)
            .group_by(Event.finding_id).subquery())
    return {finding_id: (seq, digest) for finding_id, seq, digest in session.execute(
        select(Event.finding_id, Event.seq, Event.hash).join(
            last, and_(Event.finding_id == last.c.finding_id, Event.seq == last.c.seq)))}


def _heads_from_rows(session: Session, cutoff: datetime,
                     batch: int = 5000) -> Iterator[tuple[str, int, str, int]]:
    """chain_heads, the heads of the findings with no event after cutoff (their facts' last
    moment, services.stats_facts) read from their rows: last_seq and last_hash, what their
    chains end with whenever `rectify verify` passes; the others' from their events."""
    at = micros(cutoff)
    last_id = 0
    conn = session.connection()  # Core rows: no ORM loading for a million plain tuples
    while True:
        page = conn.execute(select(Finding.id, Finding.code, Finding.last_seq, Finding.last_hash,
                                   Finding.state_since_us)
                            .where(Finding.id > last_id).order_by(Finding.id).limit(batch)).all()
        if not page:
            return
        moved = [row[0] for row in page if row[4] is None or row[4] > at]
        heads = _event_heads(session, moved, cutoff) if moved else {}
        for finding_id, code, seq, digest, since in page:
            if finding_id in heads:
                yield code, heads[finding_id][0], heads[finding_id][1], finding_id
            elif since is not None and since <= at:
                yield code, seq, digest, finding_id
        last_id = page[-1][0]


def anchor_at(session: Session, cutoff: datetime,
              progress: Callable[[int], None] | None = None, rows: bool = False) -> Anchor:
    """The record's fingerprint at cutoff (see the module docstring); `progress(finding_id)`
    is told each finding walked. rows: the heads of findings with nothing after the cut-off
    taken from their rows (_heads_from_rows: the daily report's, printing it); `verify
    --anchor`, which checks a printed one, reads every head from the events."""
    digest = hashlib.sha256()
    findings = 0
    heads = _heads_from_rows(session, cutoff) if rows else chain_heads(session, cutoff)
    for code, seq, event_hash, finding_id in heads:
        digest.update(f"{code}\t{seq}\t{event_hash}\n".encode())
        findings += 1
        if progress is not None:
            progress(finding_id)
    events = session.scalar(select(func.count()).select_from(Event)
                            .where(Event.created_at <= cutoff)) or 0
    return Anchor(digest.hexdigest(), cutoff, events, findings)


def _error(en: str, zh: str, field: str = "anchor") -> InvalidInput:
    return InvalidInput({field: {"zh": zh, "en": en}})


def parse_anchor(text: str) -> tuple[str, datetime]:
    """FINGERPRINT@TIME -> (lowercase hex digits, aware cut-off); InvalidInput names what is
    wrong. The fingerprint: the full 64 hex digits or a prefix of at least 16, dashes ignored;
    the time: ISO 8601 with a zone (as printed: 2026-03-02T15:59:59.999999Z)."""
    head, sep, when = text.strip().partition("@")
    if not sep:
        raise _error("Enter FINGERPRINT@TIME, for example "
                     "3f2a-91bc-0e4d-77a1-5c20@2026-03-02T15:59:59.999999Z.",
                     "格式应为 指纹@时间，例如 3f2a-91bc-0e4d-77a1-5c20@2026-03-02T15:59:59.999999Z。")
    digits = head.replace("-", "").strip().lower()
    if not re.fullmatch(r"[0-9a-f]{16,64}", digits):
        raise _error(f"The fingerprint must be {MIN_DIGITS} to 64 hex digits (dashes allowed).",
                     f"指纹应为 {MIN_DIGITS} 至 64 位十六进制数字（可含短横线）。")
    return digits, parse_cutoff(when)


def parse_cutoff(when: str, field: str = "anchor") -> datetime:
    """An anchor's time, ISO 8601 with its zone, as an aware moment; InvalidInput on `field`."""
    try:
        if not when.isascii() or not when.strip().isprintable():  # NUL and the like
            raise ValueError(when)
        cutoff = datetime.fromisoformat(when.strip())
        if cutoff.tzinfo is not None:
            cutoff.astimezone(UTC)  # within the calendar in UTC too (not 0001-01-01 at +14:00)
    except (ValueError, OverflowError):
        raise _error(f"The time {when[:40]!r} is not an ISO 8601 date and time.",
                     f"时间 {when[:40]!r} 不是 ISO 8601 格式的日期时间。", field) from None
    if cutoff.tzinfo is None:
        raise _error("The time needs its zone (Z or +08:00), as printed on the report.",
                     "时间须带时区（Z 或 +08:00），与报告上印的一致。", field)
    return cutoff


def anchor_holds(expected: str, anchor: Anchor) -> bool:
    """Whether the recomputed fingerprint matches the expected hex digits (a prefix of it)."""
    return anchor.fingerprint.startswith(expected)
