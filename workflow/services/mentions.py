"""@mentions in comments: the usernames a text names, the people they are in the finding's scope,
and the notification each newly mentioned person gets."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from workflow.errors import InvalidPayload
from workflow.models import Event, Finding, User
from workflow.services.accounts import USERNAME
from workflow.services.notify import notify_people, params_for
from workflow.services.scope import findings_clause

# "@" then the characters a username may have (ASCII), not inside an e-mail address or a word.
_MENTION = re.compile(r"(?<![A-Za-z0-9_.@-])@([A-Za-z0-9_.-]{2,64})")
LABEL = {"zh": "评论提及", "en": "Mentioned"}  # the tag of the message's subject


def mentioned(text: str) -> list[str]:
    """The usernames `@name` tokens in the text name, each once, in order; a full stop ending a
    sentence is not part of the name ("ask @li.ming." names li.ming)."""
    names: list[str] = []
    for match in _MENTION.finditer(text):
        name = match.group(1).rstrip(".").lower()
        if USERNAME.match(name) and name not in names:
            names.append(name)
    return names


def mentionable(session: Session, finding: Finding, names: Sequence[str]) -> list[User]:
    """The active users the names are, each of whom may see the finding; InvalidPayload on the
    text naming the others. Unknown, inactive and out-of-scope names get the same answer, so a
    mention never tells whether someone exists outside the finding's scope."""
    if not names:
        return []
    users = {u.username: u for u in session.scalars(
        select(User).where(User.username.in_(names), User.active.is_(True))
        .options(joinedload(User.unit)))}
    found = [users[n] for n in names if n in users and _sees(session, users[n], finding)]
    missing = [f"@{n}" for n in names if n not in {u.username for u in found}]
    if missing:
        raise InvalidPayload({"text": {
            "zh": f"无法提及 {'、'.join(missing)}：本问题的可见范围内没有这个用户。",
            "en": f"Cannot mention {', '.join(missing)}: no such user in this finding's scope."}})
    return found


def _sees(session: Session, user: User, finding: Finding) -> bool:
    """May this user see the finding: the scope rule every finding query uses."""
    return session.scalar(select(Finding.id).where(Finding.id == finding.id,
                                                   findings_clause(user))) is not None


def notify_mentioned(session: Session, finding: Finding, event: Event, people: Sequence[User],
                     actor: User, text: str, now: datetime) -> None:
    """One "mention" notification per person (not the author), written with the event; the
    outbox takes it to them per their preferences."""
    others = [user for user in people if user.id != actor.id]
    notify_people(session, finding, event, others, "mention",
                  params_for(finding, LABEL, actor, text, comment=event.payload.get("comment",
                                                                                   event.seq)),
                  now)
