"""Compare two runs' results (latest.json) of the same cases at two sizes: each case's p95 at the
large size over its p95 at the small one (issue 11: every page ≤ 2× the same at 10k).

    python benchmarks/compare_sizes.py SMALL/latest.json LARGE/latest.json [--limit 2]

Prints a Markdown table of the cases both runs measured (matched by section key and case), with
both p95s and their ratio, marking those above the limit; exits 1 if any is."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any


def p95s(path: Path) -> dict[tuple[str, str], tuple[str, float]]:
    """(section key, case) -> (section title, p95 in µs; the median where no p95 was kept)."""
    found = {}
    for section in json.loads(path.read_text(encoding="utf-8"))["sections"]:
        for row in section["rows"]:
            value = row["p95"] if row.get("p95") is not None else row["value"]
            if value:
                found[(section["key"], row["case"])] = (section["title"], float(value))
    return found


def compared(small: Path, large: Path, limit: float) -> tuple[list[str], int]:
    """The table's lines and how many cases are above the limit."""
    before, after = p95s(small), p95s(large)
    lines = ["| section | case | p95 small (ms) | p95 large (ms) | large / small |",
             "| --- | --- | ---: | ---: | ---: |"]
    over = 0
    for key in sorted(before.keys() & after.keys()):
        title, low = before[key]
        high = after[key][1]
        ratio = high / low
        over += ratio > limit
        mark = f"**{ratio:.2f}×**" if ratio > limit else f"{ratio:.2f}×"
        lines.append(f"| {title} | {key[1]} | {low / 1000:,.1f} | {high / 1000:,.1f} | {mark} |")
    return lines, over


def main(argv: Any = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("small", type=Path, help="latest.json of the run at the small size")
    parser.add_argument("large", type=Path, help="latest.json of the run at the large size")
    parser.add_argument("--limit", type=float, default=2.0, help="the ratio allowed (2)")
    args = parser.parse_args(argv)
    lines, over = compared(args.small, args.large, args.limit)
    print("\n".join(lines))
    print(f"\n{over} case(s) above {args.limit:g}×" if over else f"\nevery case within {args.limit:g}×")
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
