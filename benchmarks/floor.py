"""The floor of a transition (raw DB-API SQL) and a midpoint: the same writes through the bare ORM."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from benchmarks.world import Raw
from workflow.chain import row_digest
from workflow.models import Event, Finding
from workflow.runtime import Rectify
from workflow.services.events import AUDITED_BY_SCHEME, CURRENT_SCHEME, finding_digest

AUDITED = AUDITED_BY_SCHEME[CURRENT_SCHEME]

Step = tuple[str, str, Mapping[str, Any]]  # trigger, destination state, payload


def chain_hash(prev: str, code: str, seq: int, trigger: str, source: str, dest: str, actor_id: int,
               payload: Mapping[str, Any], at: str, row_hash: str) -> str:
    """sha256 over the previous hash and the event's canonical JSON, as workflow.chain does it."""
    body = json.dumps({"finding": code, "seq": seq, "trigger": trigger, "from": source, "to": dest,
                       "actor": actor_id, "payload": payload, "at": at, "finding_digest": row_hash},
                      sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev + body).encode()).hexdigest()


class FloorTransition:
    """SELECT the audited row, UPDATE with the version checked, INSERT a sha256-chained event
    carrying the row's digest, COMMIT."""

    def __init__(self, raw: Raw, finding_id: int, actor_id: int, steps: Mapping[str, Step],
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.raw, self.finding_id, self.actor_id = raw, finding_id, actor_id
        self.steps, self.clock = steps, clock

    def __call__(self) -> None:
        raw = self.raw
        raw.begin()
        version, seq, prev, *audited = raw.execute(
            f"SELECT version, last_seq, last_hash, {', '.join(AUDITED)} FROM findings WHERE id = ?",
            (self.finding_id,)).fetchone()
        row = dict(zip(AUDITED, audited, strict=True))
        code, state = row["code"], row["state"]
        trigger, dest, payload = self.steps[state]
        now = raw.stamp(self.clock())
        row["state"] = dest
        row_hash = f"{CURRENT_SCHEME}:{row_digest(row)}"
        digest = chain_hash(prev, code, seq + 1, trigger, state, dest, self.actor_id, payload, now,
                            row_hash)
        updated = raw.execute(
            "UPDATE findings SET state = ?, version = ?, last_seq = ?, last_hash = ?, updated_at = ? "
            "WHERE id = ? AND version = ?",
            (dest, version + 1, seq + 1, digest, now, self.finding_id, version)).rowcount
        if updated != 1:
            raise RuntimeError("version check failed: someone else moved the finding")
        raw.execute(
            "INSERT INTO events (finding_id, seq, trigger, from_state, to_state, actor_id, payload, "
            "created_at, prev_hash, hash, finding_digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (self.finding_id, seq + 1, trigger, state, dest, self.actor_id,
             json.dumps(payload, ensure_ascii=False), now, prev, digest, row_hash))
        raw.commit()


def orm_transition(app: Rectify, finding_id: int, actor_id: int,
                   steps: Mapping[str, Step]) -> Callable[[], None]:
    """The same writes through a UnitOfWork and the ORM, with none of fire()'s checks."""
    def op() -> None:
        with app.unit_of_work() as uow:
            finding = uow.session.get_one(Finding, finding_id)
            trigger, dest, payload = steps[finding.state]
            now, seq, prev, source = uow.now(), finding.last_seq + 1, finding.last_hash, finding.state
            finding.state = dest
            row_hash = finding_digest(finding)
            digest = chain_hash(prev, finding.code, seq, trigger, source, dest, actor_id, payload,
                                now.isoformat(), row_hash)
            uow.session.add(Event(finding_id=finding_id, seq=seq, trigger=trigger, from_state=source,
                                  to_state=dest, actor_id=actor_id, payload=dict(payload),
                                  created_at=now, prev_hash=prev, hash=digest,
                                  finding_digest=row_hash))
            finding.last_seq, finding.last_hash, finding.updated_at = seq, digest, now
            uow.commit()

    return op
