"""Load the demo: directory first, then every story step in time order on a clock moved through the past."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from workflow.demo import coordination
from workflow.demo.model import Day, DemoClock, Photos, Rel, Step, Story, UnitRef, Work, photo_png
from workflow.demo.units import (
    CAMPAIGN_DAYS,
    CAMPAIGN_NAME,
    CAMPAIGN_SCOPE,
    CAMPAIGN_START,
    INSPECTIONS,
    PASSWORD,
    UNITS,
    USERS,
)
from workflow.errors import UnitKindsError
from workflow.models import Finding, Unit, User
from workflow.runtime import UnitOfWork
from workflow.services import fire, raise_finding
from workflow.services.accounts import create_user
from workflow.services.directory import create_campaign, create_inspection, create_unit

SPAN = 75  # day 0 is SPAN days before today; the last day with events is yesterday
FIRST_HOUR = time(9, 0)
STEP_MINUTES = 9
TICK_MINUTES = -30  # the scheduler's morning pass, before the day's first step

Ticker = Callable[[datetime], object]  # one scheduler pass at a moment (services.tick.tick)

# What the photos a trigger carries are called in their file names.
_PHOTO_NAMES = {"raise": "现场照片", "report_rectification": "整改佐证", "revisit": "复查照片",
                "fix_on_spot": "整改后照片", "waive": "容错材料", "report_implementation": "落实材料"}


@dataclass(frozen=True)
class _Slot:
    """One scheduled action: step index 0 raises the story, index n fires its step n - 1."""

    day: int
    story: int
    index: int


class Loader:
    """Writes the demo through the engine's own services, one unit of work, a clock it moves."""

    def __init__(self, uow: UnitOfWork, clock: DemoClock, start: date, zone: ZoneInfo,
                 ticker: Ticker | None = None) -> None:
        self.uow, self.clock, self.start, self.zone = uow, clock, start, zone
        self.ticker, self.ticked = ticker, -1  # the last day the scheduler ran
        self.units: dict[str, Unit] = {}
        self.users: dict[str, User] = {}
        self.inspections: dict[str, int] = {}
        self.findings: dict[int, Finding] = {}
        self.letters: dict[str, int] = {}  # demo key -> letter id
        self.photos = 0

    def moment(self, day: int, minutes: int = 0) -> datetime:
        local = datetime.combine(self.start + timedelta(days=day), FIRST_HOUR, self.zone)
        return (local + timedelta(minutes=minutes)).astimezone(UTC)

    def date_of(self, day: int) -> date:
        return self.start + timedelta(days=day)

    def directory(self) -> None:
        session = self.uow.session
        undeclared = sorted({row.kind for row in UNITS if row.kind not in self.uow.unit_kinds})
        if undeclared:  # the demo's units would stop the app from starting
            raise UnitKindsError([f"the demo needs unit kinds not declared in "
                                  f"{self.uow.unit_kinds.source}: {', '.join(undeclared)}"])
        self.clock.set(self.moment(0, -60))
        for row in UNITS:
            parent = self.units[row.parent] if row.parent else None
            self.units[row.code] = create_unit(session, row.code, row.name_zh, row.name_en, row.kind, parent)
            self.units[row.code].doc_prefix = row.doc_prefix
        for user_row in USERS:
            user = create_user(session, user_row.username, user_row.display_name, PASSWORD,
                               list(user_row.roles), self.units[user_row.unit], user_row.language)
            user.created_at = self.uow.now()
            user.email = user_row.email
            user.notify_email, user.notify_webhook = user_row.notify_email, user_row.notify_webhook
            self.users[user_row.username] = user
        organiser = self.units["SZ-CDI-G7"]
        starts = self.date_of(CAMPAIGN_START)
        campaign = create_campaign(session, CAMPAIGN_NAME.format(year=starts.year), organiser, starts,
                                   starts + timedelta(days=CAMPAIGN_DAYS), CAMPAIGN_SCOPE)
        for row_ in INSPECTIONS:
            inspection = create_inspection(session, self.units[row_.unit], self.date_of(row_.day),
                                           row_.method, campaign, row_.team, row_.notes,
                                           self.users[row_.by])
            self.inspections[row_.key] = inspection.id
        self.uow.commit()

    def tell(self, stories: tuple[Story, ...]) -> None:
        """Raise and move every story, all steps of all stories in one time order."""
        slots = [_Slot(story.day, n, 0) for n, story in enumerate(stories)]
        slots += [_Slot(st.day, n, i) for n, story in enumerate(stories)
                  for i, st in enumerate(story.steps, start=1)]
        slots.sort(key=lambda s: (s.day, s.story, s.index))
        per_day: dict[int, int] = {}
        for slot in slots:
            if not 0 <= slot.day < SPAN:
                raise ValueError(f"demo story {slot.story}: day {slot.day} is outside 0..{SPAN - 1}")
            self.tick_until(slot.day)
            rank = per_day[slot.day] = per_day.get(slot.day, -1) + 1
            self.clock.set(self.moment(slot.day, rank * STEP_MINUTES))
            story = stories[slot.story]
            if slot.index == 0:
                self.findings[slot.story] = self._raise(story)
            else:
                self._fire(self.findings[slot.story], story.steps[slot.index - 1])

    def tick_until(self, day: int) -> None:
        """Run the scheduler each morning up to `day` (each day once): ladder steps and digests
        carry the day they fell due. The loader's transaction is ended first (its writes are
        committed by the services), so the pass can take the write lock; what the pass changed
        is read afresh after it."""
        if self.ticker is None:
            return
        while self.ticked < day:
            self.ticked += 1
            self.uow.session.rollback()
            self.clock.set(self.moment(self.ticked, TICK_MINUTES))
            self.ticker(self.clock())
            self.uow.session.expire_all()

    def _raise(self, story: Story) -> Finding:
        actor = self.users[story.raiser]
        data: dict[str, object] = {"title": story.title, "category": story.category,
                                   "severity": story.severity, "unit": self.units[story.unit].id}
        if story.description:
            data["description"] = story.description
        if story.requirement:
            data["requirement"] = story.requirement
        if story.due is not None:
            data["due_date"] = self._value(story.due if isinstance(story.due, Work)
                                           else Rel(story.due), Step(story.day, "", ""), actor)
        if story.photos:
            data["evidence"] = self._upload(actor, story.photos, "raise")
        inspection = self.inspections[story.inspection] if story.inspection else None
        return raise_finding(self.uow, actor, story.lifecycle, data, inspection)

    def _fire(self, finding: Finding, step: Step) -> None:
        actor = self.users[step.actor]
        if step.on is not None:
            finding = coordination.child_of(self, finding, step.on)
        if step.trigger.startswith("@"):
            coordination.act(self, finding, step, actor, lambda v: self._value(v, step, actor))
            return
        payload = {name: self._value(value, step, actor) for name, value in step.payload.items()}
        fire(self.uow, finding.id, step.trigger, actor, payload, finding.version)

    def _value(self, value: object, step: Step, actor: User) -> object:
        if isinstance(value, Rel):
            return (self.date_of(step.day) + timedelta(days=value.days)).isoformat()
        if isinstance(value, Day):
            return self.date_of(value.day).isoformat()
        if isinstance(value, Work):
            return self.uow.calendar.add_working_days(self.date_of(SPAN), value.days).date.isoformat()
        if isinstance(value, UnitRef):
            return self.units[value.code].id
        if isinstance(value, Photos):
            return self._upload(actor, value.count, step.trigger)
        return value

    def _upload(self, actor: User, count: int, trigger: str) -> list[str]:
        """`count` new photos stored as uploaded by the actor; their sha256 digests."""
        digests = []
        for _ in range(count):
            self.photos += 1
            name = f"{_PHOTO_NAMES.get(trigger, '附件')}-{self.photos:03d}.png"
            attachment = self.uow.store.put(self.uow.session, photo_png(self.photos), name, actor)
            attachment.created_at = self.uow.now()
            digests.append(attachment.sha256)
        return digests
