"""Mermaid state diagrams of a lifecycle, drawn by transitions' GraphMachine on a throwaway model."""

from __future__ import annotations

import re

from transitions.extensions import GraphMachine

from workflow.spec.model import SAME_STATE, Lifecycle


class _Drawing:
    """Throwaway model: GraphMachine keeps a graph per model, so each drawing gets its own."""

    state: str


# A transition that stays in its state ("  assigned --> assigned: Reassign"), and a state line.
_LOOP = re.compile(r"^( +)(\w+) --> \2: (.+)$")
_STATE = re.compile(r'^( +)state ".*" as (\w+)$')


def _loop_labels_inside(text: str) -> str:
    """Self-loops keep their arrow but carry their label inside the state's box (`state : ↻ label`).

    Mermaid puts a loop's label beside the box, right where the first outgoing edge's label goes
    (in the standard lifecycle "Reassign" sat on "Report rectification")."""
    lines = text.split("\n")
    loops = {m[2]: m[3] for m in map(_LOOP.match, lines) if m}
    out = []
    for line in lines:
        loop, state = _LOOP.match(line), _STATE.match(line)
        out.append(f"{loop[1]}{loop[2]} --> {loop[2]}" if loop else line)
        if state and state[2] in loops:
            out.append(f"{state[1]}{state[2]} : ↻ {loops[state[2]]}")
    return "\n".join(out)


def mermaid(lifecycle: Lifecycle, lang: str = "en", current: str | None = None) -> str:
    """The lifecycle as mermaid `stateDiagram-v2`, labels in `lang`, `current` highlighted."""
    model = _Drawing()
    states = [{"name": s.name} for s in lifecycle.states]
    transitions = [
        {"trigger": t.label(lang).replace(":", " "), "source": list(t.sources),
         "dest": SAME_STATE if t.dest == SAME_STATE else t.dest}
        for t in lifecycle.transitions
    ]
    machine = GraphMachine(model=model, states=states, transitions=transitions,
                           initial=lifecycle.initial, auto_transitions=False,
                           graph_engine="mermaid", title=lifecycle.label(lang))
    if current is not None:
        # Highlight `current` while the start arrow keeps pointing at the lifecycle's initial state.
        machine.set_state(current, model=model)
    graph = model.get_graph(force_new=current is not None)  # type: ignore[attr-defined]
    text: str = graph.draw(None)
    for state in lifecycle.states:
        text = text.replace(f'state "{state.name}" as {state.name}',
                            f'state "{state.label(lang)}" as {state.name}')
    if current is None:
        text = text.replace(f"Class {lifecycle.initial} s_active",
                            f"Class {lifecycle.initial} s_default")
    text = _loop_labels_inside(text)
    # transitions draws the current state red on salmon (hard to read): white on the brand red.
    return text.replace("classDef s_active color:red,fill:darksalmon",
                        "classDef s_active color:white,fill:#b3261e,stroke:#7f1d1d,font-weight:bold")


# Five shades from pale to deep red: a state's share of all the time findings spent in states.
HEAT = ("#fff5f0", "#fdcab5", "#fc8a6a", "#f24a35", "#b11218")


def heat_mermaid(lifecycle: Lifecycle, lang: str, shares: dict[str, float]) -> str:
    """The diagram with each state coloured by its share (0..1) of the time spent, and the
    share in its label: where findings pile up."""
    text = mermaid(lifecycle, lang)
    lines = [f"  classDef heat{i} color:{'white' if i >= 3 else 'black'},fill:{colour}"
             for i, colour in enumerate(HEAT)]
    for state in lifecycle.states:
        share = shares.get(state.name, 0.0)
        level = min(len(HEAT) - 1, int(share * len(HEAT)))
        text = text.replace(f"Class {state.name} s_default", f"Class {state.name} heat{level}")
        text = text.replace(f'state "{state.label(lang)}" as {state.name}',
                            f'state "{state.label(lang)} · {share:.0%}" as {state.name}')
    return text.replace("  classDef s_active", "\n".join(lines) + "\n  classDef s_active", 1)
