"""The raw driver floor: SELECT state and version, UPDATE with the version checked, INSERT a history
row, COMMIT; no hash chain, no digest (tables peer_docs and peer_history, see sm_orm)."""

from __future__ import annotations

from datetime import UTC, datetime

from benchmarks.peers.common import FROM_STATE, Counted
from benchmarks.world import Raw

STATE_SQL = "SELECT state FROM peer_docs WHERE id = ?"
HISTORY_SQL = "SELECT COUNT(*) FROM peer_history WHERE doc_id = ?"


class RawDriverFloor(Counted):
    def __init__(self, raw: Raw, doc_id: int, actor_id: int) -> None:
        super().__init__("raw driver", doc_id, STATE_SQL, HISTORY_SQL)
        self.raw, self.actor_id = raw, actor_id

    def __call__(self) -> None:
        raw = self.raw
        raw.begin()
        state, version = raw.execute("SELECT state, version FROM peer_docs WHERE id = ?",
                                     (self.doc_id,)).fetchone()
        trigger, dest = FROM_STATE[state]
        updated = raw.execute("UPDATE peer_docs SET state = ?, version = ? WHERE id = ? AND version = ?",
                              (dest, version + 1, self.doc_id, version)).rowcount
        if updated != 1:
            raise RuntimeError("version check failed: someone else moved the document")
        raw.execute("INSERT INTO peer_history (doc_id, trigger, source, target, actor_id, at) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (self.doc_id, trigger, state, dest, self.actor_id, raw.stamp(datetime.now(UTC))))
        raw.commit()
        self.done(dest)
