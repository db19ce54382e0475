"""The small vocabulary demo stories are written in: stories, steps, relative dates, photos, a clock."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Rel:
    """A date `days` after the day of the step that uses it (negative: before)."""

    days: int


@dataclass(frozen=True)
class Day:
    """An absolute day of the demo timeline: day 0 is the first day, the last day is yesterday."""

    day: int


@dataclass(frozen=True)
class Work:
    """The date `days` working days from the day the demo is loaded (negative: before it), on the
    engine's calendar: lights and ladder steps then show the same on any load day, holidays
    or not."""

    days: int


@dataclass(frozen=True)
class Photos:
    """`count` fresh photos uploaded by the step's actor just before the step."""

    count: int


@dataclass(frozen=True)
class UnitRef:
    """A unit given by its code; becomes the unit id in the payload."""

    code: str


@dataclass(frozen=True)
class Step:
    """One step of a story: on which day, by whom, which trigger, with what payload; `on` names
    the unit of a child finding (split off the story's finding) the step is taken on instead.
    Triggers starting with "@" are not transitions: @letter, @reply, @comment
    (workflow.demo.coordination)."""

    day: int
    actor: str
    trigger: str
    payload: dict[str, object] = field(default_factory=dict)
    on: str | None = None


def step(day: int, actor: str, trigger: str, **payload: object) -> Step:
    return Step(day, actor, trigger, payload)


def child_step(day: int, actor: str, unit: str, trigger: str, **payload: object) -> Step:
    """A step on the child finding of unit `unit`, split off the story's finding earlier."""
    return Step(day, actor, trigger, payload, on=unit)


@dataclass(frozen=True)
class Story:
    """A finding from the moment it is raised to where the demo leaves it."""

    lifecycle: str
    day: int
    raiser: str
    unit: str
    title: str
    category: str
    severity: str
    description: str = ""
    inspection: str | None = None
    requirement: str = ""
    due: int | Work | None = None
    photos: int = 0
    steps: tuple[Step, ...] = ()


class DemoClock:
    """A clock the loader moves forward; the demo's Rectify reads the time from it."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("the demo clock needs an aware datetime")
        self.moment = moment


def photo_png(number: int, width: int = 64, height: int = 48) -> bytes:
    """A small valid PNG of one solid colour; a different colour (so sha256) for every number."""
    if not 0 <= number < 65536:
        raise ValueError("photo numbers run from 0 to 65535")
    # 53 and 97 are odd, so each channel is a bijection mod 256; the high byte moves blue.
    rgb = bytes((number * 53 % 256, (number * 97 + 64) % 256, ((number >> 8) * 29 + 160) % 256))
    raw = b"".join(b"\x00" + rgb * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b""))
