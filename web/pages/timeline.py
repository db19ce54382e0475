"""The finding page's timeline and time facts: events with labelled entries (ladder steps, urging,
签收, look-back, recurrences), the due-date history, 签收 and the other deadlines, the delays."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from web.auth import actor
from web.i18n import lang
from web.pages import bp
from web.pages.helpers import local_date
from web.uow import get_uow
from workflow.models import Attachment, Event, Finding, User
from workflow.services.delays import delays
from workflow.services.due_history import due_history
from workflow.services.raising import RAISE_FIELDS
from workflow.services.related import original_of, recurrences_of
from workflow.services.system import USERNAME as SYSTEM_USERNAME
from workflow.spec.model import FieldSpec, LadderStep, Lifecycle

SYSTEM = SYSTEM_USERNAME  # the account tick fires ladder steps as


def _engine_event_label(trigger: str) -> str:
    """Events the engine writes itself, not transitions of a definition."""
    if trigger == "raise":
        return str(_("Raised"))
    if trigger == "migrate":
        return str(_("Moved to a new version of the lifecycle"))
    if trigger == "ladder":
        return str(_("Escalation step"))
    if trigger == "letter":
        return str(_("Letter sent"))
    if trigger == "letter_reply":
        return str(_("Letter replied"))
    if trigger == "comment":
        return str(_("Comment"))
    if trigger == "comment_edit":
        return str(_("Comment edited"))
    if trigger == "link":
        return str(_("Linked to a related finding"))
    if trigger == "unlink":
        return str(_("Related link removed"))
    return trigger


def _fact_label(name: str) -> str | None:
    """Facts the engine records beside a transition's fields: a child finding split off, the
    parent of one, the other end of a link."""
    labels = {"child": _("Child finding"), "parent": _("Split off from"),
              "other": _("Linked finding"), "note": _("Note")}
    return str(labels[name]) if name in labels else None


# What a letter's annotations record (workflow.services.letters), labelled for the timeline.
_LETTER_FIELDS = {f.name: f for f in (
    FieldSpec("number", "text", "文号", "Number"), FieldSpec("subject", "text", "标题", "Subject"),
    FieldSpec("addressees", "text", "收文单位", "Addressees"),
    FieldSpec("reply_due_date", "date", "回复期限", "Reply due"),
    FieldSpec("unit", "text", "回复单位", "Replying unit"),
    FieldSpec("replied_on", "date", "回复日期", "Replied on"),
    FieldSpec("text", "text", "回复内容", "Reply"))}
LETTER_EVENTS = ("letter", "letter_reply")


def _fields_of(lc: Lifecycle, event: Event) -> dict[str, FieldSpec]:
    if event.trigger == "raise":
        return {f.name: f for f in RAISE_FIELDS}
    if event.trigger in LETTER_EVENTS:
        return _LETTER_FIELDS
    spec = next((t for t in lc.transitions if t.trigger == event.trigger), None)
    return {f.name: f for f in spec.fields} if spec else {}


def _shown_date(value: Any) -> Any:
    """An ISO date stored in a payload, in the reader's words; anything else as it is."""
    try:
        return local_date(date.fromisoformat(value)) if isinstance(value, str) else value
    except ValueError:
        return value


def _entry(spec: FieldSpec | None, name: str, value: Any, files: dict[str, Any],
           code: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"label": spec.label(code) if spec else _fact_label(name) or name,
                             "value": value,
                             "type": spec.type if spec else "text"}
    if entry["type"] == "files":
        entry["files"] = [files[d] for d in value if d in files]
    elif entry["type"] == "choice" and spec:
        entry["value"] = next((c.zh if code == "zh" else c.en for c in spec.choices
                               if c.value == value), value)
    elif entry["type"] == "date":
        entry["value"] = _shown_date(value)
    elif entry["type"] == "unit" and isinstance(value, dict):
        entry["value"] = value.get("name_en" if code == "en" else "name") or value.get("name", "")
    return entry


_HIDDEN = ("lifecycle", "inspection", "due_date_change", "recurrence_of")
_LINK_EVENTS = ("link", "unlink")  # their "link" is the link's id


def _entries(lc: Lifecycle, event: Event, files: dict[str, Any]) -> list[dict[str, Any]]:
    specs, code = _fields_of(lc, event), lang()
    letter = event.trigger in LETTER_EVENTS  # only its labelled facts; the rest is on its page
    out = [_entry(specs.get(name), name, "、".join(value) if letter and isinstance(value, list)
                  else value, files, code)
           for name, value in event.payload.items()
           if value not in (None, "", []) and name not in _HIDDEN
           and (not letter or name in specs)
           and not (name == "link" and event.trigger in _LINK_EVENTS)]
    change = event.payload.get("due_date_change")
    if isinstance(change, list) and len(change) == 2:
        out.append({"label": _("Due date"), "type": "text",
                    "value": " → ".join(_shown_date(day) or "—" for day in change)})
    return out


def _ladder(lc: Lifecycle, event: Event, names: dict[str, str]) -> dict[str, Any]:
    """A ladder step: its label from the definition, who was told, level, accountability."""
    payload = event.payload
    step: LadderStep | None = next((s for s in lc.ladder if s.name == payload.get("step")), None)
    told = [names.get(u, u) for u in payload.get("notified") or []]
    return {"label": step.label(lang()) if step else str(payload.get("step", "")),
            "notified": told, "level": payload.get("level") or 0,
            "accountability": bool(payload.get("accountability")),
            "on": payload.get("on"), "anchor": payload.get("anchor")}


def _display_names(events: list[Event]) -> dict[str, str]:
    usernames = {u for e in events if e.trigger == "ladder"
                 for u in e.payload.get("notified") or [] if isinstance(u, str)}
    if not usernames:
        return {}
    rows = get_uow().session.execute(select(User.username, User.display_name)
                                     .where(User.username.in_(usernames)))
    return {username: name for username, name in rows}


def _comment_seq(event: Event) -> int | None:
    """A comment or its edit is a line in the timeline linking to the discussion, where its
    text, files and history are shown (not repeated here)."""
    if event.trigger == "comment":
        return event.seq
    if event.trigger == "comment_edit":
        return int(event.payload.get("comment", 0)) or None
    return None


def actor_name(event: Event) -> str:
    """Who acted; the engine's own steps (the ladder) show as the system."""
    if event.actor.username == SYSTEM:
        return str(_("System"))
    return event.actor.display_name


def timeline(lc: Lifecycle, events: list[Event],
             files: dict[str, Attachment]) -> list[dict[str, Any]]:
    """Events with labelled entries; file entries carry their attachment rows (`files`)."""
    names, code = _display_names(events), lang()
    out = []
    for event in events:
        trigger = next((t for t in lc.transitions if t.trigger == event.trigger), None)
        comment = _comment_seq(event)
        entries = [] if event.trigger == "ladder" or comment else _entries(lc, event, files)
        item = {"event": event, "entries": entries, "actor": actor_name(event),
                "label": trigger.label(code) if trigger else _engine_event_label(event.trigger),
                "to": lc.state(event.to_state).label(code) if lc.has_state(event.to_state)
                else event.to_state, "ladder": None,
                "recurrence_of": event.payload.get("recurrence_of"),
                "letter_id": event.payload.get("letter_id")
                if event.trigger in LETTER_EVENTS else None, "comment": comment}
        if event.trigger == "ladder":
            item["ladder"] = _ladder(lc, event, names)
        out.append(item)
    return out


def related(finding: Finding) -> dict[str, list[Finding]]:
    """The finding this one recurs of and its recurrences, those the user may see."""
    session, user = get_uow().session, actor()
    original = original_of(session, user, finding)
    return {"original": [original] if original else [],
            "recurrences": recurrences_of(session, user, finding)}


def time_facts(lc: Lifecycle, finding: Finding, events: list[Event]) -> dict[str, Any]:
    """What the page shows of the finding's time: due-date history, delays, links."""
    return {"due_history": due_history(lc, events), "delays": delays(get_uow(), finding, events),
            **related(finding)}


@bp.app_template_global("due_kind_label")
def due_kind_label(kind: str) -> str:
    """How a due date changed (workflow.services.due_history.KINDS), in the user's language."""
    labels = {"set": _("Set"), "default": _("Default for the severity"),
              "extended": _("Extended"), "rework": _("Reset on rework"), "cleared": _("Cleared")}
    return str(labels.get(kind, kind))
