"""The unit picker at a province's size: /ledger's HTML size and time, and GET /units/pick's
median and p95, over the bulk world's ~5,000-unit tree on SQLite.

    python -m benchmarks.unit_picker [--units 5000] [--findings 200] [--requests 300]

Run the file with another checkout first on PYTHONPATH to measure that code (the picker lines
are left out where /units/pick does not exist)."""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
from pathlib import Path
from time import perf_counter
from typing import Any

from benchmarks.bulk import generate
from benchmarks.bulk_tree import PASSWORD
from benchmarks.world import sqlite_target, start
from workflow.config import REPO_ROOT
from workflow.spec import load_registry

PICK = "/units/pick?purpose=filter"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=5000)
    parser.add_argument("--findings", type=int, default=200)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, sqlite_target(Path(folder)) as target:
        app = start(target, Path(folder), load_registry(REPO_ROOT / "definitions"))
        world = generate(app, args.findings, units=args.units)
        tree = world.tree
        client = _logged_in(app, f"inspector-{tree.names[tree.root][0].lower()}")
        print(f"{len(tree.names)} units, {args.findings} findings, the province's inspector")
        sizes, times = _timed(client, ["/ledger"] * 30)
        print(f"/ledger: {sizes[0] / 1024:.0f} KiB, median {_ms(statistics.median(times))}, "
              f"p95 {_ms(_p95(times))}")
        if client.get(PICK + "&q=a").status_code != 200:
            print("no /units/pick in this checkout")
            return
        _sizes, times = _timed(client, _picker_queries(tree.names, args.requests))
        print(f"/units/pick ({args.requests} queries: names, codes, path words, empty, tree "
              f"levels): median {_ms(statistics.median(times))}, p95 {_ms(_p95(times))}, "
              f"max {_ms(max(times))}")


def _logged_in(app: Any, username: str) -> Any:
    from web import create_app
    flask = create_app({"RECTIFY": app, "TESTING": True, "WTF_CSRF_ENABLED": False,
                        "RATELIMIT_ENABLED": False})
    client = flask.test_client()
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def _timed(client: Any, urls: list[str]) -> tuple[list[int], list[float]]:
    client.get(urls[0])  # warm the templates and caches
    sizes, times = [], []
    for url in urls:
        began = perf_counter()
        response = client.get(url)
        times.append(perf_counter() - began)
        assert response.status_code == 200, (url, response.status_code)
        sizes.append(len(response.get_data()))
    return sizes, times


def _picker_queries(names: dict[int, tuple[str, str, str]], n: int) -> list[str]:
    """Part of a Chinese name, a code prefix, an English word, two path words, nothing, and a
    tree level to open, in turn, from random units."""
    rng, ids = random.Random(7), sorted(names)
    queries: list[str] = []
    while len(queries) < n:
        code, zh, en = names[rng.choice(ids)]
        start = rng.randrange(max(1, len(zh) - 2))
        parent = rng.choice(ids)
        queries += [f"{PICK}&q={zh[start:start + 2]}", f"{PICK}&q={code[:3]}",
                    f"{PICK}&q={en.split()[0]}", f"{PICK}&q={zh[:2]}%20{zh[-2:]}",
                    f"{PICK}&q=", f"{PICK}&parent={parent}"]
    return queries[:n]


def _p95(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.95) - 1]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


if __name__ == "__main__":
    main()
