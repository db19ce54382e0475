"""A SQLite bulk world kept in a folder (--world): generated there once, copied in by later runs."""

from __future__ import annotations

import pickle
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from benchmarks.bulk import World


@dataclass
class KeptWorld:
    """Where a world of `findings` findings is kept: the database file and what generate()
    returned, with the day it was generated for (its due dates and lights count from it)."""

    folder: Path
    findings: int

    @property
    def database(self) -> Path:
        return self.folder / f"sqlite-{self.findings}.db"

    @property
    def facts(self) -> Path:
        return self.folder / f"sqlite-{self.findings}.pickle"

    def exists(self) -> bool:
        return self.database.is_file() and self.facts.is_file()

    def copy_to(self, database: Path) -> tuple[World, date]:
        """The kept world, its file copied to `database` (cases that write change the copy)."""
        shutil.copyfile(self.database, database)
        with self.facts.open("rb") as file:
            world, day = pickle.load(file)
        return world, day

    def keep(self, database: Path, world: World, day: date) -> None:
        """A consistent copy of the live database file (SQLite's online backup) and the facts."""
        self.folder.mkdir(parents=True, exist_ok=True)
        partial = self.database.with_suffix(".partial")
        with sqlite3.connect(database) as source, sqlite3.connect(partial) as copy:
            source.backup(copy)
        source.close()
        copy.close()
        partial.replace(self.database)
        with self.facts.open("wb") as file:
            pickle.dump((world, day), file)
