"""benchmarks/compare_sizes.py: each case's p95 at the large size over the small one's, matched
by section and case, the ones above the limit marked and failing the exit code."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.compare_sizes import main


def _run(path: Path, rows: dict[str, tuple[float, float | None]]) -> Path:
    sections = [{"key": "pages_sqlite", "title": "Ledger pages, SQLite",
                 "rows": [{"case": case, "value": value, "p95": p95}
                          for case, (value, p95) in rows.items()]}]
    path.write_text(json.dumps({"sections": sections}), encoding="utf-8")
    return path


def test_ratios_of_the_p95s_and_the_verdict(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    small = _run(tmp_path / "small.json", {"first page": (9_000.0, 10_000.0),
                                           "page 50": (20_000.0, 20_000.0),
                                           "only small": (1.0, 1.0)})
    large = _run(tmp_path / "large.json", {"first page": (15_000.0, 19_000.0),
                                           "page 50": (30_000.0, None),  # no p95: the median
                                           "only large": (1.0, 1.0)})
    assert main([str(small), str(large)]) == 0
    out = capsys.readouterr().out
    assert "| Ledger pages, SQLite | first page | 10.0 | 19.0 | 1.90× |" in out
    assert "| Ledger pages, SQLite | page 50 | 20.0 | 30.0 | 1.50× |" in out
    assert "only" not in out and "every case within 2×" in out
    assert main([str(small), str(large), "--limit", "1.8"]) == 1
    out = capsys.readouterr().out
    assert "| first page | 10.0 | 19.0 | **1.90×** |" in out and "1 case(s) above 1.8×" in out
