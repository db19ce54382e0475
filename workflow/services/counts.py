"""Counts that add up: a dataclass of numbers summed field by field (dashboard, statistics, daily)."""

from __future__ import annotations

from dataclasses import fields
from typing import Self


class Summable:
    """Mixin for a dataclass whose fields are all numbers: `a.add(b)` adds b into a."""

    def add(self, other: Self) -> None:
        for item in fields(self):  # type: ignore[arg-type]
            setattr(self, item.name, getattr(self, item.name) + getattr(other, item.name))
