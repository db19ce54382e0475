"""Import of 10,000 spreadsheet rows (two files: the importer takes 5,000 rows a file) through
check_file + import_file, as the import page does, against reading the same files and a bulk
INSERT of the findings with their hash-chained 'raise' events."""

from __future__ import annotations

import io
import random
from datetime import UTC, datetime, timedelta
from itertools import count

from openpyxl import Workbook, load_workbook

from benchmarks.bulk import World, write_chunk
from benchmarks.bulk_chains import Chain
from benchmarks.report import Section, timed
from benchmarks.timing import each_call
from benchmarks.world import Target
from workflow.catalog import CATEGORIES, SEVERITIES, label
from workflow.models import User
from workflow.runtime import Rectify
from workflow.services.import_columns import COLUMNS
from workflow.services.import_file import MAX_ROWS
from workflow.services.importing import check_file, import_file

FLOOR = "read the files + bulk INSERT with chained events"
SERVICE = "check_file() + import_file()"


def workbook(world: World, leaves: list[int], rows: int, serial: count[int]) -> bytes:
    """An import file in the template's columns (zh headers), every row good."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("问题清单")
    sheet.append([c.label("zh") for c in COLUMNS])
    due = datetime.now(UTC).date() + timedelta(days=30)
    categories, severities = list(CATEGORIES), list(SEVERITIES)
    for i in range(rows):
        n = next(serial)
        cells = {"unit": world.tree.names[leaves[i % len(leaves)]][0], "title": f"导入问题第{n}条",
                 "description": "批量导入", "category": label(CATEGORIES, categories[i % 6], "zh"),
                 "severity": label(SEVERITIES, severities[i % 3], "zh"), "lifecycle": "",
                 "requirement": "限期整改", "due_date": due, "campaign": "", "inspected_on": "",
                 "method": "", "key": f"bench-{n}"}
        sheet.append([cells[c.key] for c in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def import_service(app: Rectify, actor_id: int, files: list[bytes]) -> int:
    """SERVICE: what the import page does with each file: check (preview), then import."""
    created = 0
    for data in files:
        with app.unit_of_work(write=False) as uow:
            check = check_file(uow, uow.session.get_one(User, actor_id), data, "bench.xlsx")
            assert not check.failed, check.failed[:1]
        with app.unit_of_work() as uow:
            report = import_file(uow, uow.session.get_one(User, actor_id), data, "bench.xlsx")
            assert not report.errors
            created += len(report.created)
    return created


def import_floor(app: Rectify, world: World, files: list[bytes], serial: count[int]) -> int:
    """Parse the files, then one bulk INSERT of findings and their first events (hashes too)."""
    tree, rng = world.tree, random.Random(1)
    by_code = {code: uid for uid, (code, _zh, _en) in tree.names.items()}
    lifecycle = app.registry.get("standard")
    chains = []
    for data in files:
        sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
        for row in sheet.iter_rows(min_row=2, values_only=True):
            chain = Chain(tree, lifecycle, by_code[str(row[0])], f"IMPF-{next(serial)}",
                          datetime.now(UTC), rng)
            chain.row["title"] = str(row[1])
            chain.raise_it()
            chains.append(chain)
    write_chunk(app, chains, World(tree))
    return len(chains)


def import_section(app: Rectify, target: Target, world: World, rows: int,
                   rounds: int) -> Section:
    tree = world.tree
    city = tree.parent[tree.groups[0]]
    leaves = [leaf for leaf in tree.leaves if city in tree.ancestors[leaf]]
    actor = tree.person(city, "inspector")
    serial = count(1)
    sizes = [min(MAX_ROWS, rows - start) for start in range(0, rows, MAX_ROWS)]

    def files() -> list[bytes]:
        return [workbook(world, leaves, size, serial) for size in sizes]

    batches = {SERVICE: [files() for _ in range(rounds)], FLOOR: [files() for _ in range(rounds)]}
    made = {SERVICE: 0, FLOOR: 0}

    def service() -> None:
        made[SERVICE] += import_service(app, actor, batches[SERVICE].pop())

    def floor() -> None:
        made[FLOOR] += import_floor(app, world, batches[FLOOR].pop(), serial)

    samples = each_call({FLOOR: floor, SERVICE: service}, rounds, warmup=0)
    assert made[SERVICE] == made[FLOOR] == rows * rounds, made
    return timed(f"import_{target.label.lower()}", f"Import {rows:,} rows, {target.label}",
                 samples, FLOOR, [f"{len(sizes)} file(s) of at most {MAX_ROWS:,} rows (the "
                                  "importer's limit), as a city commission's inspector; times "
                                  f"are per {rows:,} rows, files built beforehand",
                                  f"on {world.findings:,} findings"])
