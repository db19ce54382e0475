"""Every error or notice message in workflow/ and web/ is a sentence: in English it starts with a
capital letter and ends with a full stop (or ? !), in Chinese it ends with 。？！. Read from the
source: {zh, en} dicts, the (zh, en) pairs handed to error helpers, Forbidden texts, flash()
and abort(message=) msgids."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from workflow.config import REPO_ROOT
from workflow.services.firing import either

CJK = re.compile(r"[\u3400-\u9fff]")
HOLE = None  # a part of a message that is not literal text: a placeholder, a call, a name
Parts = list[str | None]

# {zh, en} pairs that are labels, not messages: (module, zh, en) -> why
LABELS = {
    ("workflow/services/raising.py", "登记问题", "Finding raised"): "an event's label",
    ("workflow/services/system.py", "系统", "System"): "the system account's display name",
    ("workflow/services/mentions.py", "评论提及", "Mentioned"): "a notification's tag",
    ("workflow/services/import_columns.py", "错误", "Errors"): "the errors column's header",
}
LABEL_TEXTS = {(where, text) for where, zh, en in LABELS for text in (zh, en)}
# messages that may start with a placeholder: (module, text with {} for holes) -> why
LEADING_PLACEHOLDER = {
    ("web/pages/notifications.py", "%(n)s notifications marked read."): "a count starts it",
}


def modules() -> Iterator[Path]:
    for top in ("workflow", "web"):
        yield from sorted((REPO_ROOT / top).rglob("*.py"))


def parts(node: ast.expr) -> Parts:
    """The literal texts and holes of a str constant, f-string or + of them, in order."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return [p for v in node.values for p in parts(v)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return parts(node.left) + parts(node.right)
    return [HOLE]


def literal(node: ast.expr) -> bool:
    return any(p is not None for p in parts(node))


def text_of(found: Parts) -> str:
    return "".join(p if p is not None else "{}" for p in found)


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def messages(tree: ast.AST) -> Iterator[tuple[str, ast.expr]]:
    """(language, expression) of every message in a module."""
    raised = {id(n.exc) for n in ast.walk(tree) if isinstance(n, ast.Raise)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            keys = [k.value for k in node.keys if isinstance(k, ast.Constant)]
            if sorted(keys) == ["en", "zh"] and len(node.keys) == 2:
                for key, value in zip(keys, node.values, strict=True):
                    if literal(value):
                        yield key, value
        elif isinstance(node, ast.Call):
            yield from _call_messages(node, id(node) in raised)
        if _is_message_table(node):  # {name: (zh, en)} tables, and their .get(name, (zh, en))
            yield from _pairs(node)
    yield from _shared_pairs(tree)


def _shared_pairs(tree: ast.AST) -> Iterator[tuple[str, ast.expr]]:
    """The (zh, en) pairs a message table uses by name (`"open": _TRUE_OR_FALSE`) or builds
    with a helper (`"stage": _one_of(STAGES)`): the names' values, the helpers' returns."""
    used: set[str] = set()
    for table in (n for n in ast.walk(tree) if _is_message_table(n)):
        content = table.value if isinstance(table, ast.Assign) else table  # not its own name
        used.update(n.id for n in ast.walk(content) if isinstance(n, ast.Name))
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id in used for t in node.targets):
            yield from _pairs(node.value)
        elif isinstance(node, ast.FunctionDef) and node.name in used:
            for returned in (n for n in ast.walk(node) if isinstance(n, ast.Return)):
                if returned.value is not None:
                    yield from _pairs(returned.value)


def _is_message_table(node: ast.AST) -> bool:
    if isinstance(node, ast.Assign):
        return any(isinstance(t, ast.Name) and t.id.endswith("MESSAGES") for t in node.targets)
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get" and isinstance(node.func.value, ast.Name)
            and node.func.value.id.endswith("MESSAGES"))


def _pairs(node: ast.AST) -> Iterator[tuple[str, ast.expr]]:
    for pair in ast.walk(node):
        if isinstance(pair, ast.Tuple) and len(pair.elts) == 2 and all(map(literal, pair.elts)):
            yield "zh", pair.elts[0]
            yield "en", pair.elts[1]


def _pair(node: ast.Call) -> Iterator[tuple[str, ast.expr]]:
    """The (zh, en) texts handed to an error raised, or to a helper named *error* or *bad*."""
    texts = [a for a in node.args if literal(a)]
    chinese = [a for a in texts if CJK.search(text_of(parts(a)))]
    english = [a for a in texts if a not in chinese]
    if len(chinese) == 1 and len(english) >= 1:
        yield "zh", chinese[0]
        yield "en", english[-1]


def _call_messages(node: ast.Call, raised: bool) -> Iterator[tuple[str, ast.expr]]:
    name = _call_name(node)
    if raised or "error" in name.lower() or "bad" in name.lower():
        yield from _pair(node)
    if name == "Forbidden" and node.args and literal(node.args[0]):
        yield "en", node.args[0]
    if name == "flash" and node.args:
        yield from _msgid(node.args[0])
    if name == "abort":
        for keyword in node.keywords:
            if keyword.arg == "message":
                yield from _msgid(keyword.value)


def _msgid(node: ast.expr) -> Iterator[tuple[str, ast.expr]]:
    if isinstance(node, ast.Call) and _call_name(node) == "_" and node.args and literal(node.args[0]):
        yield "en", node.args[0]


def english_problem(found: Parts, where: str) -> str | None:
    first, last = found[0], found[-1]
    if (where, text_of(found)) in LEADING_PLACEHOLDER:
        pass
    elif first is None:
        return "starts with a placeholder"
    elif not first.lstrip()[:1].isupper() and not first.lstrip()[:1].isdigit():
        return "does not start with a capital letter"
    if last is None or not last.rstrip().endswith((".", "?", "!")):
        return "does not end with . ? or !"
    return None


def chinese_problem(found: Parts) -> str | None:
    last = found[-1]
    if last is None or not last.rstrip().endswith(("。", "？", "！")):
        return "does not end with 。？ or ！"
    return None


def problems() -> list[str]:
    found: list[str] = []
    for path in modules():
        where = path.relative_to(REPO_ROOT).as_posix()
        for lang, node in messages(ast.parse(path.read_text(encoding="utf-8"))):
            message = parts(node)
            text = text_of(message)
            if (where, text) in LABEL_TEXTS:
                continue
            problem = (english_problem(message, where) if lang == "en"
                       else chinese_problem(message))
            if problem:
                found.append(f"{where}: {lang} {text!r} {problem}")
    return found


def test_every_message_is_a_sentence() -> None:
    found = problems()
    assert not found, f"{len(found)} messages are not sentences:\n" + "\n".join(found)


def test_the_reader_finds_messages_of_each_kind() -> None:
    """The walk sees dict messages, helper pairs, Forbidden texts and flash msgids (else the
    check above would pass on nothing)."""
    tree = ast.parse(
        'd = {"zh": "请选择单位。", "en": "Choose a unit."}\n'
        'raise _bad("unit", "该单位已停用。", "The unit is deactivated.")\n'
        'return ImportFileError("无法读取该文件。", "This file cannot be read.")\n'
        'raise Forbidden("Only admins may do this.")\n'
        'flash(_("Saved."), "success")\n'
        'abort(400, message=_("Too large."))\n'
        'MESSAGES = {"q": ("最多 200 个字。", "Enter at most 200 characters.")}\n'
        '_MESSAGES.get(name, ("无效。", "Not valid."))\n'
        '_A_DATE = ("应为日期。", "Enter a date.")\n'
        'def one_of(v):\n    return f"应为以下之一：{v}。", f"Choose one of: {v}."\n'
        'TABLE_MESSAGES = {"from": _A_DATE, "kind": one_of(KINDS)}\n')
    assert sorted(text_of(parts(node)) for _, node in messages(tree)) == sorted([
        "请选择单位。", "Choose a unit.", "该单位已停用。", "The unit is deactivated.",
        "无法读取该文件。", "This file cannot be read.",
        "Only admins may do this.", "Saved.", "Too large.", "最多 200 个字。",
        "Enter at most 200 characters.", "无效。", "Not valid.", "应为日期。", "Enter a date.",
        "应为以下之一：{}。", "Choose one of: {}."])


@pytest.mark.parametrize(("source", "problem"), [
    ('f"unknown role {x}."', "does not start with a capital letter"),
    ('f"Roles not known: {x}"', "does not end with . ? or !"),
    ('"Choose a unit" + ", ".join(x)', "does not end with . ? or !"),
    ('f"{n} files."', "starts with a placeholder"),
])
def test_a_fragment_is_refused(source: str, problem: str) -> None:
    assert english_problem(parts(ast.parse(source, mode="eval").body), "x.py") == problem


def test_a_chinese_message_without_its_full_stop_is_refused() -> None:
    assert chinese_problem(["请选择单位"]) == "does not end with 。？ or ！"
    assert chinese_problem(["请选择单位。"]) is None


def test_reasons_joined_by_or_make_one_sentence() -> None:
    """A step open to several sides is refused with every side's reason, as one sentence."""
    lead = {"zh": "此操作只能由牵头单位办理。", "en": "This step is only for the lead body."}
    part = {"zh": "此操作只能由配合单位办理。", "en": "This step is only for a co-responsible unit."}
    joined = either([lead, part])
    assert joined == {
        "en": "This step is only for the lead body; or this step is only for a co-responsible unit.",
        "zh": "此操作只能由牵头单位办理；此操作只能由配合单位办理。"}
    assert either([{"zh": "甲。", "en": "A."}]) == {"zh": "甲。", "en": "A."}
