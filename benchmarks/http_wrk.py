"""Runs wrk (Debian's 4.1, with LuaJIT) with benchmarks/http_load.lua and reads what it measured."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).resolve().parent / "http_load.lua"


def wrk_path() -> str | None:
    return shutil.which("wrk")


@dataclass
class Load:
    """One wrk run: what it sends, how hard, for how long."""

    mode: str  # get | fire | mixed (see http_load.lua)
    connections: int
    seconds: float
    rate: float = 0.0  # requests/s over all connections; 0: as fast as the server answers


@dataclass
class Outcome:
    """What one wrk run measured (latencies from the moment each request was due, in ms)."""

    requests: int
    seconds: float
    non_2xx: int
    late: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    wrk_p99_ms: float
    fired: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    first_bad: str = ""

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def socket_errors(self) -> int:
        return sum(self.errors.values())


def run(load: Load, base_url: str, token: str, reads: Path, fires: Path, focus: int = 0) -> Outcome:
    """One wrk process; one connection per wrk thread, so each thread tracks its own finding."""
    with tempfile.TemporaryDirectory(prefix="rectify-wrk-") as tmp:
        out = Path(tmp) / "wrk.json"
        env = {**os.environ, "WRK_MODE": load.mode, "WRK_TOKEN": token,
               "WRK_THREADS": str(load.connections), "WRK_RATE": str(load.rate),
               "WRK_READS": str(reads), "WRK_FIRES": str(fires), "WRK_OUT": str(out),
               "WRK_FOCUS": str(focus)}
        command = [wrk_path() or "wrk", "-t", str(load.connections), "-c", str(load.connections),
                   "-d", f"{max(1, round(load.seconds))}s", "--timeout", "30s", "-s", str(SCRIPT),
                   base_url]
        done = subprocess.run(command, env=env, capture_output=True, text=True,
                              timeout=load.seconds + 120)
        if done.returncode != 0 or not out.exists():
            raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
        data: dict[str, Any] = json.loads(out.read_text("utf-8"))
    return Outcome(requests=data["requests"], seconds=data["duration_us"] / 1e6,
                   non_2xx=data["non_2xx"], late=data["late"], p50_ms=data["p50_ms"],
                   p99_ms=data["p99_ms"], max_ms=data["max_ms"], wrk_p99_ms=data["wrk_p99_ms"],
                   fired=data["fired"], errors=data["errors"], statuses=data["statuses"],
                   first_bad=data["first_bad"])
