"""Views never commit: no `.commit` in web/ (the use cases in workflow commit; see
workflow/services/__init__.py)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
WEB = sorted((REPO / "web").rglob("*.py"))


def _rel(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


def _commits(path: Path) -> list[str]:
    """Every `x.commit` in the module, called or passed on (`uow.commit()`, `session.commit`,
    `getattr(x, "commit")`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = sorted((node.lineno, ast.unparse(node)) for node in ast.walk(tree) if _is_commit(node))
    return [f"line {line}: {text}" for line, text in found]


def _is_commit(node: ast.AST) -> bool:
    if isinstance(node, ast.Attribute):
        return node.attr == "commit"
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id == "getattr" and len(node.args) > 1
            and isinstance(node.args[1], ast.Constant) and node.args[1].value == "commit")


def test_the_walk_sees_the_views() -> None:
    names = {_rel(p) for p in WEB}
    assert {"web/auth.py", "web/pages/account.py", "web/api/auth_tokens.py"} <= names


@pytest.mark.parametrize("path", WEB, ids=_rel)
def test_views_never_commit(path: Path) -> None:
    assert _commits(path) == []


def test_the_check_catches_commits(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        '"""Doc."""\ndef f(uow, session):\n    uow.commit()\n    get_uow().session.commit()\n'
        "    done = session.commit\n    getattr(uow, 'commit')()\n    uow.committed = 1\n",
        encoding="utf-8",
    )
    assert _commits(sample) == [
        "line 3: uow.commit",
        "line 4: get_uow().session.commit",
        "line 5: session.commit",
        "line 6: getattr(uow, 'commit')",
    ]
