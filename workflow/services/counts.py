"""Counts that add up: a dataclass of numbers summed field by field (dashboard, statistics, daily)."""

from __future__ import annotations

from dataclasses import fields
from functools import cache
from typing import Self


@cache
def _names(cls: type) -> tuple[str, ...]:
    return tuple(item.name for item in fields(cls))


class Summable:
    """Mixin for a dataclass whose fields are all numbers: `a.add(b)` adds b into a."""

    def add(self, other: Self) -> None:
        mine, theirs = self.__dict__, other.__dict__
        for name in _names(type(self)):  # type: ignore[arg-type]
            mine[name] += theirs[name]
