"""`rectify graph` and workflow.spec.diagram.mermaid: mermaid text of a lifecycle."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from workflow.cli import engine
from workflow.spec import Registry
from workflow.spec.diagram import mermaid


@pytest.fixture(autouse=True)
def _shipped_definitions(definitions_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECTIFY_DEFINITIONS", str(definitions_dir))


def _classes(text: str) -> dict[str, str]:
    return dict(re.findall(r"^\s*Class (\w+) s_(\w+)$", text, flags=re.MULTILINE))


# A self-loop per state: v1 only reassigns in place; v2 also acknowledges, urges, looks back.
LOOPS = {1: [("assigned", "assigned"), ("raised", "raised")],
         2: [("assigned", "assigned"), ("closed", "closed"),
             ("extension_requested", "extension_requested"), ("raised", "raised"),
             ("waiver_requested", "waiver_requested")],
         # v3: a co-responsible unit reports its part in place, wherever the finding is open.
         3: [("assigned", "assigned"), ("closed", "closed"),
             ("extension_requested", "extension_requested"), ("raised", "raised"),
             ("rectified", "rectified"), ("revisited", "revisited"),
             ("waiver_requested", "waiver_requested")]}
# v3: co-responsible units report their part in place (rectified, revisited loop too); child
# findings split off from raised and assigned, which already loop.
LOOPS[3] = sorted([*LOOPS[2], ("rectified", "rectified"), ("revisited", "revisited")])


@pytest.mark.parametrize(("name", "version"), [("standard", 3), ("standard@2", 2),
                                               ("standard@1", 1)])
def test_graph_prints_mermaid(name: str, version: int, registry: Registry) -> None:
    result = CliRunner().invoke(engine, ["graph", name])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "stateDiagram-v2" in text
    lc = registry.get("standard", version)
    for state in lc.states:
        assert f'state "{state.en}" as {state.name}' in text
    assert 'state "Revisited" as revisited' in text
    assert "revisited --> assigned: Not in place, send back" in text
    assert "revisited --> closed: Confirm and close" in text
    assert "[*] --> raised" in text
    # Every (source, dest) pair is one edge; transitions sharing it are joined with ' | '.
    # A self-loop keeps its arrow, its label goes inside the state's box ("state : ↻ label").
    drawn = {(src, dst): set(labels.split(" | "))
             for src, dst, labels in re.findall(r"^ *(\w+) --> (\w+): (.+)$", text, flags=re.MULTILINE)}
    drawn.update({(state, state): set(labels.split(" | ")) for state, labels
                  in re.findall(r"^ *(\w+) : ↻ (.+)$", text, flags=re.MULTILINE)})
    expected: dict[tuple[str, str], set[str]] = {}
    for t in lc.transitions:
        for source in t.sources:
            expected.setdefault((source, t.dest_from(source)), set()).add(t.en)
    assert drawn == expected
    loops = re.findall(r"^ *(\w+) --> (\w+)$", text, flags=re.MULTILINE)
    assert sorted(loops) == LOOPS[version]
    assert drawn[("extension_requested", "assigned")] == {"Approve extension", "Deny extension"}
    # No finding is shown, so no state is highlighted.
    assert set(_classes(text).values()) == {"default"}


@pytest.mark.parametrize("name", ["nope", "standard@9", "standard@x"])
def test_graph_of_unknown_lifecycle(name: str) -> None:
    result = CliRunner().invoke(engine, ["graph", name])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"Error: unknown lifecycle '{name}'\n"


def test_graph_with_broken_definitions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "broken.yaml").write_text("- not a mapping\n", encoding="utf-8")
    monkeypatch.setenv("RECTIFY_DEFINITIONS", str(tmp_path))
    result = CliRunner().invoke(engine, ["graph", "standard"])
    assert result.exit_code == 1
    assert result.stderr == ("Error: invalid definitions:\n"
                             "broken.yaml: (root): expected a mapping with name, version, states, ...\n")


def test_current_state_is_the_only_active_one(registry: Registry) -> None:
    lc = registry.get("standard")
    classes = _classes(mermaid(lc, current="assigned"))
    assert classes == {s.name: ("active" if s.name == "assigned" else "default") for s in lc.states}


def test_current_state_keeps_the_start_arrow_on_the_initial_state(registry: Registry) -> None:
    text = mermaid(registry.get("standard"), current="revisited")
    assert re.findall(r"\[\*\] --> (\w+)", text) == ["raised"]


def test_initial_state_can_be_current(registry: Registry) -> None:
    classes = _classes(mermaid(registry.get("standard"), current="raised"))
    assert [name for name, style in classes.items() if style == "active"] == ["raised"]


def test_labels_in_chinese(registry: Registry) -> None:
    text = mermaid(registry.get("standard"), lang="zh")
    assert 'state "已复查" as revisited' in text
    assert "revisited --> assigned: 整改不到位，退回" in text
    assert "一般问题整改" in text


def test_drawings_do_not_leak_between_calls(registry: Registry) -> None:
    lc = registry.get("standard")
    first = mermaid(lc, current="closed")
    mermaid(lc, current="assigned")
    assert mermaid(lc, current="closed") == first
    assert lc.machine.models == []


def test_a_self_loops_label_sits_inside_its_state(registry: Registry) -> None:
    """Mermaid draws a loop's label beside the box, over the next edge's label: keep the arrow,
    move the label into the box, right under the state's name."""
    text = mermaid(registry.get("standard", 2), lang="zh", current="assigned")
    lines = text.splitlines()
    assert "assigned --> assigned: 改派责任单位" not in text
    assert "  assigned --> assigned" in lines
    at = lines.index('  state "整改中" as assigned')
    assert lines[at + 1] == "  assigned : ↻ 签收 | 催办 | 改派责任单位"  # v2: three loops
    assert lines[at + 2] == "  Class assigned s_active"
    assert lines.count("  raised : ↻ 改派责任单位") == 1
    assert lines.count("  closed : ↻ 回头看") == 1
    v3 = mermaid(registry.get("standard", 3), lang="zh", current="assigned").splitlines()
    assert v3[v3.index('  state "整改中" as assigned') + 1] == (
        "  assigned : ↻ 签收 | 催办 | 增加配合单位 | 报送配合整改情况 | 改派责任单位 | 分解交办子问题")
    v1 = mermaid(registry.get("standard", 1), lang="zh", current="assigned").splitlines()
    assert v1[v1.index('  state "整改中" as assigned') + 1] == "  assigned : ↻ 改派责任单位"


@pytest.mark.parametrize(("name", "version"), [("escalation", 1), ("immediate", 1),
                                               ("immediate", 2), ("suggestion", 1)])
def test_lifecycles_without_self_loops_are_drawn_unchanged(name: str, version: int,
                                                           registry: Registry) -> None:
    text = mermaid(registry.get(name, version), lang="zh")
    assert "↻" not in text
    assert all(src != dst for src, dst in re.findall(r"^ *(\w+) --> (\w+)", text, flags=re.MULTILINE))
