"""python-statemachine 3 on a SQLAlchemy ORM row: load, send the trigger (the machine checks it), a
history row written by the machine's after_transition, commit; the row's version is checked."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, Engine, ForeignKey, String, insert
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, object_session
from statemachine import State, StateMachine

from benchmarks.peers.common import ASSIGNED, Counted, triggers
from benchmarks.peers.raw_floor import HISTORY_SQL, STATE_SQL
from workflow.db import Database


class Base(DeclarativeBase):
    pass


class PeerDoc(Base):
    __tablename__ = "peer_docs"
    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column()
    __mapper_args__ = {"version_id_col": version}


class PeerHistory(Base):
    __tablename__ = "peer_history"
    id: Mapped[int] = mapped_column(primary_key=True)
    doc_id: Mapped[int] = mapped_column(ForeignKey("peer_docs.id"), index=True)
    trigger: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[int] = mapped_column()
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DocMachine(StateMachine):
    assigned = State(initial=True)
    extension_requested = State()
    request_extension = assigned.to(extension_requested)
    deny_extension = extension_requested.to(assigned)

    def after_transition(self, event: str, source: State, target: State, actor_id: int) -> None:
        doc = self.model
        object_session(doc).add(PeerHistory(doc_id=doc.id, trigger=event, source=source.id,  # type: ignore[union-attr]
                                            target=target.id, actor_id=actor_id, at=datetime.now(UTC)))


def create_tables(engine: Engine) -> None:
    Base.metadata.create_all(engine)


def new_doc(engine: Engine) -> int:
    with engine.begin() as connection:
        return int(connection.execute(insert(PeerDoc).values(state=ASSIGNED, version=1)
                                      .returning(PeerDoc.id)).scalar_one())


class StatemachineOrm(Counted):
    """One write Session per transition, as a request would (BEGIN IMMEDIATE on SQLite, like the
    others); a machine bound to the loaded row."""

    def __init__(self, database: Database, actor_id: int) -> None:
        super().__init__("python-statemachine + ORM", new_doc(database.engine), STATE_SQL, HISTORY_SQL)
        self.database, self.actor_id, self.next = database, actor_id, triggers().__next__

    def __call__(self) -> None:
        with self.database.session(write=True) as session, session.begin():
            doc = session.get_one(PeerDoc, self.doc_id)
            DocMachine(doc).send(self.next(), actor_id=self.actor_id)
            state = doc.state  # the commit expires the row
        self.done(state)


def cases(database: Database, actor_id: int) -> dict[str, Counted]:
    return {"python-statemachine 3 + SQLAlchemy ORM": StatemachineOrm(database, actor_id)}
