"""Comments on a finding: a discussion thread kept as annotation events on the finding's hash
chain, so `verify` covers them and nobody changes one quietly; an edit is a new event naming the
comment it edits, and every earlier text stays readable. There is no delete."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from workflow.errors import Forbidden, InvalidPayload, UnknownComment
from workflow.models import Attachment, Event, Finding, User
from workflow.payload import clean
from workflow.services.annotate import annotate, commit_annotation
from workflow.services.evidence import evidence_of
from workflow.services.firing import get_finding, payload_lookup
from workflow.services.mentions import mentionable, mentioned, notify_mentioned
from workflow.spec.model import FieldSpec

if TYPE_CHECKING:
    from workflow.runtime import UnitOfWork

MAX_TEXT, MAX_FILES = 4000, 10
TEXT = FieldSpec("text", "text", "评论", "Comment", required=True, max_length=MAX_TEXT)
FILES = FieldSpec("files", "files", "附件", "Files", max_count=MAX_FILES)
COMMENT_FIELDS = (TEXT, FILES)  # cleaned like a transition's fields (workflow.payload)
TRIGGERS = ("comment", "comment_edit")
_UNCHANGED = {"zh": "与当前内容相同，未作修改。",
              "en": "This is the comment's current text: nothing to change."}
_NOT_AUTHOR = {"zh": "只有评论的作者可以修改它。", "en": "Only the author of a comment may edit it."}
_INACTIVE = {"zh": "停用的账号不能评论。", "en": "An inactive account cannot comment."}


@dataclass
class Comment:
    """A comment as the thread shows it: its current text and every text it had."""

    seq: int
    author: User
    created_at: datetime
    text: str
    versions: list[tuple[datetime, str]]  # oldest first; the last one is `text`
    attachments: list[Attachment] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)  # usernames the current text mentions
    editable: bool = False  # by the reader: they wrote it

    @property
    def edited(self) -> bool:
        return len(self.versions) > 1


def add_comment(uow: UnitOfWork, actor: User, finding_id: int, text: Any,
                files: Sequence[Any] = ()) -> int:
    """Comment on a finding the actor may see (open or closed) and commit; the people it
    @mentions are notified. Files are sha256s of the actor's uploads or of files already on
    the finding. Returns the comment's seq; InvalidPayload names each bad field."""
    def write() -> int:
        finding = _commentable(uow.session, actor, finding_id)
        cleaned = clean(COMMENT_FIELDS, {"text": text, "files": list(files)},
                        payload_lookup(uow, finding, actor))
        body = cleaned.record["text"]
        people = mentionable(uow.session, finding, mentioned(body))
        record = {"text": body, "files": cleaned.record.get("files", []),
                  "mentions": [user.username for user in people]}
        event = annotate(finding, "comment", actor, record, uow, cleaned.attachments)
        notify_mentioned(uow.session, finding, event, people, actor, body, uow.now())
        return event.seq

    seq: int = commit_annotation(uow, finding_id, write)
    return seq


def edit_comment(uow: UnitOfWork, actor: User, finding_id: int, comment_seq: int,
                 text: Any) -> None:
    """Its author gives a comment a new text and commits: a "comment_edit" event; people the new
    text mentions for the first time are notified. The same text again is refused."""
    def write() -> None:
        finding = _commentable(uow.session, actor, finding_id)
        original, edits = _comment_events(uow.session, finding, comment_seq)
        if original.actor_id != actor.id:
            raise Forbidden("Only the author of a comment may edit it.", _NOT_AUTHOR)
        body = clean((TEXT,), {"text": text}, payload_lookup(uow, finding, actor)).record["text"]
        if body == (edits[-1] if edits else original).payload.get("text"):
            raise InvalidPayload({"text": _UNCHANGED})
        people = mentionable(uow.session, finding, mentioned(body))
        record = {"comment": comment_seq, "text": body,
                  "mentions": [user.username for user in people]}
        event = annotate(finding, "comment_edit", actor, record, uow)
        before = {name for e in (original, *edits) for name in e.payload.get("mentions", [])}
        notify_mentioned(uow.session, finding, event,
                         [u for u in people if u.username not in before], actor, body, uow.now())

    commit_annotation(uow, finding_id, write)


def _commentable(session: Session, actor: User, finding_id: int) -> Finding:
    """The finding, if the actor may see it and is an active account (never the engine's own)."""
    if not actor.active:
        raise Forbidden("An inactive account cannot comment.", _INACTIVE)
    return get_finding(session, actor, finding_id)


def _comment_events(session: Session, finding: Finding, seq: int) -> tuple[Event, list[Event]]:
    """A comment's event and its edits, oldest first; UnknownComment when there is no such
    comment on the finding."""
    original = session.scalar(select(Event).where(Event.finding_id == finding.id,
                                                  Event.seq == seq, Event.trigger == "comment"))
    if original is None:
        raise UnknownComment(finding.id, seq)
    edits = [e for e in _events(session, finding, ("comment_edit",))
             if e.payload.get("comment") == seq]
    return original, edits


def _events(session: Session, finding: Finding, triggers: Sequence[str]) -> list[Event]:
    return list(session.scalars(
        select(Event).where(Event.finding_id == finding.id, Event.trigger.in_(triggers))
        .order_by(Event.seq).options(joinedload(Event.actor).joinedload(User.unit))))


def thread(session: Session, actor: User, finding: Finding) -> list[Comment]:
    """The finding's comments, oldest first, each with its current text and history (the
    caller has checked the actor may see the finding)."""
    events = _events(session, finding, TRIGGERS)
    digests = {d for e in events for d in e.payload.get("files", [])}
    files = evidence_of(session, finding.id, digests)
    comments: dict[int, Comment] = {}
    for event in events:
        text = str(event.payload.get("text", ""))
        if event.trigger == "comment":
            comments[event.seq] = Comment(
                event.seq, event.actor, event.created_at, text, [(event.created_at, text)],
                [files[d] for d in event.payload.get("files", []) if d in files],
                list(event.payload.get("mentions", [])), event.actor_id == actor.id)
        elif (edited := comments.get(event.payload.get("comment", 0))) is not None:
            edited.text, edited.mentions = text, list(event.payload.get("mentions", []))
            edited.versions.append((event.created_at, text))
    return list(comments.values())


def comment_of(session: Session, actor: User, finding: Finding, seq: int) -> Comment:
    """One comment of the thread; UnknownComment if the finding has none with this seq."""
    found = next((c for c in thread(session, actor, finding) if c.seq == seq), None)
    if found is None:
        raise UnknownComment(finding.id, seq)
    return found
