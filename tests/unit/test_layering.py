"""The engine knows nothing of the web: no flask or web imports under workflow/; views never
commit (the use cases do, see workflow/services/__init__.py); every module documented."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ENGINE = sorted((REPO / "workflow").rglob("*.py"))
WEB = sorted((REPO / "web").rglob("*.py"))


def _rel(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


def _forbidden(module: str) -> bool:
    root = module.split(".")[0]
    return root in {"flask", "web"} or root.startswith("flask_")


def _web_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[str] = []
    for node in ast.walk(tree):  # also imports inside functions and TYPE_CHECKING blocks
        if isinstance(node, ast.Import):
            found += [f"line {node.lineno}: import {a.name}" for a in node.names if _forbidden(a.name)]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if _forbidden(node.module):
                found.append(f"line {node.lineno}: from {node.module} import ...")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name)
              and getattr(node.func, "attr", getattr(node.func, "id", "")) in {"import_module", "__import__"}
              and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str) and _forbidden(node.args[0].value)):
            found.append(f"line {node.lineno}: dynamic import of {node.args[0].value}")
    return found


def test_the_walk_sees_the_engine() -> None:
    names = {_rel(p) for p in ENGINE}
    assert {"workflow/machine.py", "workflow/spec/loader.py", "workflow/cli.py"} <= names


@pytest.mark.parametrize("path", ENGINE, ids=_rel)
def test_engine_module_does_not_import_web_code(path: Path) -> None:
    assert _web_imports(path) == []


def test_the_check_catches_web_imports(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        '"""Doc."""\nimport flask\nfrom web.api import x\nfrom flask_login import current_user\n'
        "def f():\n    import web\n    return __import__('flask')\nfrom .web import y\n",
        encoding="utf-8",
    )
    assert _web_imports(sample) == [
        "line 2: import flask",
        "line 3: from web.api import ...",
        "line 4: from flask_login import ...",
        "line 6: import web",
        "line 7: dynamic import of flask",
    ]


@pytest.mark.parametrize("path", ENGINE + WEB, ids=_rel)
def test_every_module_has_a_docstring(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    docstring = ast.get_docstring(tree)
    assert docstring and docstring.strip(), f"{_rel(path)} has no module docstring"


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
