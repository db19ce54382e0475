"""The system account: the actor of what the engine does by itself (the ladder), never a person."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workflow.models import Unit, User

USERNAME = "system"
DISPLAY_NAMES = {"zh": "系统", "en": "System"}
# Not a hash any method produces: werkzeug's check_password_hash refuses it for every password.
UNUSABLE_PASSWORD = "!unusable"


def system_user(session: Session) -> User:
    """The inactive "system" user at the root unit, created on first use (in a savepoint, so a
    concurrent creator's row wins and is returned). It can never log in: it is inactive and no
    password matches its hash. Needs a unit to exist."""
    found = _find(session)
    if found is not None:
        return found
    root = session.scalar(select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.id).limit(1))
    if root is None:
        raise LookupError("the system user belongs to the root unit; there is no unit yet")
    user = User(username=USERNAME, display_name=DISPLAY_NAMES["zh"], password_hash=UNUSABLE_PASSWORD,
                roles="", unit_id=root.id, language="zh_CN", active=False, session_version=0,
                notify_email="off", notify_webhook="off", email="")
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError:  # another process created it first
        found = _find(session)
        assert found is not None
        return found
    return user


def _find(session: Session) -> User | None:
    return session.scalar(select(User).where(User.username == USERNAME))
