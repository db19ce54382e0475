"""Sections of results as ratios to their floor; written as JSON, a Markdown table and into the README."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.timing import Sample

README = Path(__file__).resolve().parent / "README.md"
_MARKERS = re.compile(r"(<!-- latest:start -->\n).*?(<!-- latest:end -->)", re.S)


@dataclass
class Row:
    case: str
    value: float
    ratio: float
    low: float | None = None
    high: float | None = None
    p95: float | None = None
    p95_ratio: float | None = None
    p99: float | None = None


@dataclass
class Section:
    key: str
    title: str
    unit: str
    floor: str
    rows: list[Row]
    notes: list[str] = field(default_factory=list)


def timed(key: str, title: str, samples: dict[str, Sample], floor: str,
          notes: list[str] | None = None) -> Section:
    """A section of µs per operation, each case as a multiple of the floor's median."""
    base, base95 = samples[floor].median, samples[floor].p95
    rows = [Row(name, round(s.median, 2), round(s.median / base, 3), round(s.low, 2), round(s.high, 2),
                None if s.p95 is None else round(s.p95, 2),
                None if s.p95 is None or not base95 else round(s.p95 / base95, 3))
            for name, s in samples.items()]
    ops = next(iter(samples.values()))
    shape = (f"{ops.batches} single calls of each (p50 = median, p95 by nearest rank)"
             if ops.p95 is not None else f"{ops.batches} batches of {ops.ops} after a warm-up batch")
    notes = [*(notes or []), shape]
    return Section(key, title, "µs", floor, rows, notes)


def sized(key: str, title: str, values: dict[str, float], floor: str,
          notes: list[str] | None = None) -> Section:
    """A section of bytes, each case as a multiple of the floor."""
    rows = [Row(name, value, round(value / values[floor], 3)) for name, value in values.items()]
    return Section(key, title, "bytes", floor, rows, notes or [])


def _number(value: float, unit: str) -> str:
    if unit == "bytes":
        return f"{value / 2**20:,.2f} MiB" if value >= 2**20 else f"{value / 1024:,.1f} KiB"
    if unit in ("req/s", "ms"):
        return f"{value:,.1f} {unit}"
    return f"{value:,.1f} µs" if value >= 10 else f"{value:,.2f} µs"


def table(sections: list[Section]) -> str:
    """One Markdown table over every section: median, spread over batches, multiple of the floor."""
    lines = ["| benchmark | case | median (p50) | min – max; p95 (× floor) | × floor (p50) |",
             "| --- | --- | ---: | ---: | ---: |"]
    for section in sections:
        for row in section.rows:
            spread = "" if row.low is None or row.high is None else \
                f"{_number(row.low, section.unit)} – {_number(row.high, section.unit)}"
            if row.p95 is not None:
                spread += f"; p95 {_number(row.p95, section.unit)} ({row.p95_ratio or 0:.2f}×)"
            if row.p99 is not None:
                spread += f"; p99 {_number(row.p99, section.unit)}"
            floor = " (floor)" if row.case == section.floor else ""
            lines.append(f"| {section.title} | {row.case}{floor} | {_number(row.value, section.unit)} "
                         f"| {spread} | {row.ratio:.2f}× |")
    return "\n".join(lines)


def peers_table(sections: list[Section]) -> list[str]:
    """The peers side by side, one column pair per backend (empty when the peers did not run)."""
    peers = [s for s in sections if s.key.startswith("peers_")]
    if not peers:
        return []
    head = "| one persisted, audited transition | " + " | ".join(
        f"{s.title.removeprefix('Peers, ')} µs p50 | × floor" for s in peers) + " |"
    lines = [head, "| --- |" + " ---: | ---: |" * len(peers)]
    for case in dict.fromkeys(row.case for s in peers for row in s.rows):
        cells = [next(((f"{_number(r.value, s.unit)}", f"{r.ratio:.2f}×") for r in s.rows
                       if r.case == case), ("", "")) for s in peers]
        lines.append(f"| {case} | " + " | ".join(f"{v} | {x}" for v, x in cells) + " |")
    return [*lines, ""]


def markdown(meta: dict[str, Any], sections: list[Section]) -> str:
    head = ", ".join(f"{k} {v}" for k, v in meta["machine"].items())
    notes = [f"- **{s.title}**: {note}" for s in sections for note in s.notes]
    skipped = [f"- **Skipped**: {why}" for why in meta.get("skipped", [])]
    return "\n".join([f"Run {meta['date']} ({meta['duration_s']:.0f} s) on {head}.", "",
                      table(sections), "", *peers_table(sections), "Notes:", "", *skipped, *notes, ""])


def write(out: Path, meta: dict[str, Any], sections: list[Section]) -> str:
    """latest.json and latest.md in `out`; the README's table too when `out` is the default folder."""
    out.mkdir(parents=True, exist_ok=True)
    data = {**meta, "sections": [asdict(s) for s in sections]}
    (out / "latest.json").write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", "utf-8")
    text = markdown(meta, sections)
    (out / "latest.md").write_text("# Latest benchmark run\n\n" + text, "utf-8")
    if out.resolve() == README.parent / "results" and README.exists():
        readme = README.read_text("utf-8")
        README.write_text(_MARKERS.sub(lambda m: m.group(1) + text + m.group(2), readme), "utf-8")
    return text
