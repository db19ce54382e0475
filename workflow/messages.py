"""Notification texts in zh and en, rendered from a message's kind and its fixed facts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _pick(value: Any, lang: str) -> str:
    if isinstance(value, Mapping):
        return str(value.get("zh" if lang.startswith("zh") else "en", ""))
    return str(value or "")


def render(kind: str, params: Mapping[str, Any], lang: str) -> tuple[str, str]:
    """(subject, text) of a message for a reader of `lang`."""
    if kind.startswith("letter_"):
        return _letter(kind, params, lang)
    zh = lang.startswith("zh")
    code, title, label = params.get("code", ""), params.get("title", ""), _pick(
        params.get("label"), lang)
    unit = _pick(params.get("unit"), lang)
    lines = [f"{code} {title}", (f"责任单位：{unit}" if zh else f"Unit: {unit}")]
    if kind == "ladder":
        subject = f"【{label}】{code} {title}" if zh else f"[{label}] {code} {title}"
        anchor = params.get("anchor")
        lines.append(f"时限：{anchor}" if zh else f"Deadline: {anchor}")
        if params.get("level"):
            lines.append(f"逾期等级：{params['level']}" if zh else
                         f"Overdue level: {params['level']}")
        if params.get("accountability"):
            lines.append("建议启动问责程序。" if zh else "Accountability is proposed.")
    elif kind == "digest":
        count = int(params.get("count", 0))
        subject = (f"整改督办每日汇总：{count} 条提醒" if zh
                   else f"Rectify daily digest: {count} notification(s)")
        lines = [render(item["kind"], item["params"], lang)[0] for item in params["items"]]
    elif kind == "mention":
        subject = f"【{label}】{code} {title}" if zh else f"[{label}] {code} {title}"
        actor = params.get("actor", "")
        lines.append(f"{actor} 在评论中提到了您：" if zh else f"{actor} mentioned you in a comment:")
    else:
        actor = params.get("actor", "")
        subject = f"【{label}】{code} {title}" if zh else f"[{label}] {code} {title}"
        lines.append(f"{actor}：{label}" if zh else f"{actor}: {label}")
        if params.get("due_date"):
            lines.append(f"整改期限：{params['due_date']}" if zh
                         else f"Due date: {params['due_date']}")
    if params.get("note"):
        lines.append(str(params["note"]))
    if params.get("finding_id"):
        where = anchor_of(params)
        lines.append(f"/findings/{params['finding_id']}" + (f"#{where}" if where else ""))
    return subject, "\n".join(lines)


# letter kind -> (zh, en) of what happened
_LETTER_EVENTS = {
    "letter_sent": ("收到来函，请按期回复", "A letter to your unit awaits its reply"),
    "letter_replied": ("收文单位已回复", "An addressee replied"),
    "letter_due_soon": ("来函回复期限将至", "The reply to a letter is due soon"),
    "letter_overdue": ("来函回复已逾期", "The reply to a letter is overdue"),
    "letter_overdue_sender": ("收文单位逾期未回复", "An addressee's reply is overdue"),
}


def _letter(kind: str, params: Mapping[str, Any], lang: str) -> tuple[str, str]:
    """A message about a letter: what happened, its number, subject, parties and reply date."""
    zh = lang.startswith("zh")
    zh_what, en_what = _LETTER_EVENTS.get(kind, (kind, kind))
    what = zh_what if zh else en_what
    number, subject = params.get("number", ""), params.get("subject", "")
    lines = [f"{number} {subject}",
             (f"发文单位：{_pick(params.get('body'), lang)}" if zh
              else f"From: {_pick(params.get('body'), lang)}")]
    if params.get("unit"):
        lines.append(f"收文单位：{_pick(params['unit'], lang)}" if zh
                     else f"Addressee: {_pick(params['unit'], lang)}")
    if params.get("reply_due_date"):
        lines.append(f"回复期限：{params['reply_due_date']}" if zh
                     else f"Reply due: {params['reply_due_date']}")
    if params.get("letter_id"):
        lines.append(f"/letters/{params['letter_id']}")
    return (f"【{what}】{number} {subject}" if zh else f"[{what}] {number} {subject}",
            "\n".join(lines))
def anchor_of(params: Mapping[str, Any]) -> str | None:
    """Where on the finding's page a message points: the comment that mentions the reader."""
    return f"comment-{params['comment']}" if params.get("comment") else None
