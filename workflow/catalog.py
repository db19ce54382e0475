"""Fixed vocabularies with zh/en labels: finding categories, severities, inspection methods
(unit kinds are declared in a file: workflow.unit_kinds)."""

from __future__ import annotations

from workflow.spec.model import Choice

CATEGORIES: dict[str, tuple[str, str]] = {
    "epidemic_control": ("疫情防控", "Epidemic control"),
    "work_safety": ("安全生产", "Work safety"),
    "food_safety": ("食品安全", "Food safety"),
    "supply": ("物资保障", "Supplies"),
    "management": ("内部管理", "Internal management"),
    "conduct": ("作风纪律", "Conduct and discipline"),
    "other": ("其他", "Other"),
}

SEVERITIES: dict[str, tuple[str, str]] = {
    "low": ("一般", "Minor"),
    "medium": ("较重", "Moderate"),
    "high": ("严重", "Serious"),
}

METHODS: dict[str, tuple[str, str]] = {
    "onsite": ("现场检查", "On site"),
    "unannounced": ("四不两直", "Unannounced (四不两直)"),
    "online": ("线上监督", "Online"),
    "embedded": ("嵌入式监督", "Embedded (嵌入式监督)"),  # sitting in on the unit's own meetings, work
}

ROLE_LABELS: dict[str, tuple[str, str]] = {
    "inspector": ("检查人员", "Inspector"),
    "handler": ("责任单位联络员", "Unit handler"),
    "reviewer": ("复查人员", "Reviewer"),
    "supervisor": ("领导", "Supervisor"),
    "admin": ("系统管理员", "Admin"),
}

CLOCK_LABELS: dict[str, tuple[str, str]] = {
    "acknowledge": ("签收时限", "Acknowledgement deadline"),
    "rectify": ("整改期限", "Due date"),
    "review": ("复查时限", "Follow-up check deadline"),
    "lookback": ("回头看日期", "Look-back date"),
}

AUDIENCE_LABELS: dict[str, tuple[str, str]] = {
    "unit_handlers": ("责任单位联络员", "the unit's handlers"),
    "unit_supervisors": ("责任单位领导", "the unit's supervisors"),
    "parent_supervisors": ("上级单位领导", "the parent unit's supervisors"),
    "raising_body": ("提出问题的检查机构", "the body that raised it"),
    "reviewers": ("复查人员", "the reviewers"),
    "raiser": ("问题登记人", "who raised it"),
}

def label(vocabulary: dict[str, tuple[str, str]], key: str, lang: str) -> str:
    zh, en = vocabulary.get(key, (key, key))
    return zh if lang.startswith("zh") else en


def as_choices(vocabulary: dict[str, tuple[str, str]]) -> tuple[Choice, ...]:
    """A vocabulary as the choices of a `choice` field."""
    return tuple(Choice(key, zh, en) for key, (zh, en) in vocabulary.items())
