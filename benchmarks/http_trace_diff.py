"""Reads what benchmarks/http_trace.py wrote: each worker's figures by minute, and what its traced
Python memory gained between two snapshots, by line and by call chain.

    python -m benchmarks.http_trace_diff FOLDER [--pid PID] [--since N] [--until M] [--top 15]

Without --pid the worker whose RSS grew most is taken; snapshots are numbered from 1 (minute N
with the probe's default interval).
"""

from __future__ import annotations

import argparse
import json
import tracemalloc
from pathlib import Path
from typing import Any

MIB = 2**20
_SKIP = (tracemalloc.__file__, "*/benchmarks/http_trace.py", "<frozen importlib._bootstrap>",
         "<unknown>")


def figures(folder: Path) -> dict[int, list[dict[str, Any]]]:
    """Per worker pid, its probe lines in order."""
    return {int(path.stem): [json.loads(line) for line in path.read_text("utf-8").splitlines()]
            for path in sorted(folder.glob("*.jsonl"))}


def table(lines: list[dict[str, Any]]) -> str:
    """One row per probe line: RSS, tracemalloc's total, glibc's heap and pymalloc's arenas."""
    head = ("| n | VmRSS | RssAnon | traced | objects | malloc heap | in use | free in heap | "
            "mmapped | pymalloc arenas |\n| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | "
            "---: | ---: |")
    rows = []
    for n, line in enumerate(lines, start=1):
        heap = line.get("malloc", {})
        arenas = line.get("pymalloc", {}).get("arena_bytes")
        rows.append(
            f"| {n} | {line['VmRSS'] / MIB:.1f} | {line['RssAnon'] / MIB:.1f} | "
            f"{line['traced'] / MIB:.1f} | {line['objects']:,} | {heap.get('arena', 0) / MIB:.1f} | "
            f"{heap.get('uordblks', 0) / MIB:.1f} | {heap.get('fordblks', 0) / MIB:.1f} | "
            f"{heap.get('hblkhd', 0) / MIB:.1f} | "
            + (f"{arenas / MIB:.1f} |" if arenas is not None else "– |"))
    return "\n".join([head, *rows])


def _short(frame: str) -> str:
    """`File ".../site-packages/babel/core.py", line 494` -> `babel/core.py:494`."""
    path, _, line = frame.strip()[len('File "'):].partition('", line ')
    for cut in ("site-packages/", "lib/python3.11/", str(Path.cwd()) + "/"):
        path = path.split(cut, 1)[-1]
    return f"{path}:{line}"


def _load(folder: Path, pid: int, n: int) -> tracemalloc.Snapshot:
    snapshot = tracemalloc.Snapshot.load(str(folder / f"{pid}-{n:03d}.snap"))
    return snapshot.filter_traces([tracemalloc.Filter(False, pattern) for pattern in _SKIP])


def grown(folder: Path, pid: int, since: int, until: int, top: int) -> str:
    """The lines and the call chains whose live traced memory grew most from `since` to `until`."""
    before, after = _load(folder, pid, since), _load(folder, pid, until)
    out = []
    for key in ("lineno", "traceback"):
        stats = after.compare_to(before, key)
        total = sum(s.size_diff for s in stats)
        out.append(f"### by {key}: live traced memory {total / MIB:+.2f} MiB in all, the "
                   f"{top} largest changes (size, count)\n")
        for stat in sorted(stats, key=lambda s: abs(s.size_diff), reverse=True)[:top]:
            frames = stat.traceback.format(limit=1 if key == "lineno" else 6, most_recent_first=True)
            where = " <- ".join(_short(frame) for frame in frames if frame.strip().startswith("File"))
            out.append(f"- {stat.size_diff / 1024:+,.1f} KiB ({stat.count_diff:+,} blocks; now "
                       f"{stat.size / 1024:,.1f} KiB): {where}")
        out.append("")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--pid", type=int)
    parser.add_argument("--since", type=int, default=3, help="snapshot to compare from (3)")
    parser.add_argument("--until", type=int, help="snapshot to compare to (the last)")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    every = figures(args.folder)
    pid = args.pid or max(every, key=lambda p: every[p][-1]["VmRSS"] - every[p][0]["VmRSS"])
    for worker, lines in every.items():
        print(f"## worker {worker}{' (compared below)' if worker == pid else ''}\n")
        print(table(lines) + "\n")
    snaps = sorted(int(path.stem.split("-")[1]) for path in args.folder.glob(f"{pid}-*.snap"))
    if snaps:
        print(grown(args.folder, pid, args.since, args.until or snaps[-1], args.top))


if __name__ == "__main__":
    main()
