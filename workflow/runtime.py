"""The engine wired together (database, definitions, evidence, calendar, clock) and its unit of work."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from types import TracebackType
from zoneinfo import ZoneInfo

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from workflow.attachments import AttachmentStore
from workflow.blobs import blobs_for
from workflow.calendar import WorkingCalendar, load_calendar
from workflow.config import Settings
from workflow.db import Database
from workflow.errors import DefinitionError, UnitKindsError, UnknownLifecycle
from workflow.models import Finding, Unit, utcnow
from workflow.services.stats_facts import REGISTRY
from workflow.spec import Registry, load_registry
from workflow.unit_kinds import UnitKinds, load_unit_kinds

Clock = Callable[[], datetime]


class Rectify:
    """Built once per process; everything else gets what it needs from a UnitOfWork."""

    def __init__(self, settings: Settings, clock: Clock = utcnow,
                 registry: Registry | None = None, calendar: WorkingCalendar | None = None,
                 unit_kinds: UnitKinds | None = None) -> None:
        self.settings = settings
        self.database = Database(settings.database_url)
        self.registry = registry or load_registry(settings.definitions_path)
        self.unit_kinds = unit_kinds or load_unit_kinds(settings.unit_kinds_path)
        self.calendar = calendar or load_calendar(settings.calendar_path)
        self.store = AttachmentStore(blobs_for(settings), settings.max_upload_bytes,
                                     settings.unlinked_max_files, settings.unlinked_max_bytes)
        self.clock = clock
        self.zone = ZoneInfo(settings.timezone)
        self.document_templates = settings.document_templates_path  # a Path built once

    def unit_of_work(self, write: bool = True) -> UnitOfWork:
        return UnitOfWork(self, write)

    def check_definitions_in_use(self) -> None:
        """DefinitionError naming every (lifecycle, version, hash) findings run on that did not
        load, so the app refuses to start instead of hiding those findings (no table: none)."""
        with self.unit_of_work(write=False) as uow:
            if not inspect(uow.session.connection()).has_table(Finding.__tablename__):
                return
            used = uow.session.execute(
                select(Finding.lifecycle, Finding.lifecycle_version, Finding.definition_hash,
                       func.count()).group_by(Finding.lifecycle, Finding.lifecycle_version,
                                              Finding.definition_hash)).all()
        problems = [problem for row in used if (problem := self._unloaded(*row))]
        if problems:
            raise DefinitionError([f"findings run on definitions that are not loaded from "
                                   f"{self.settings.definitions_path}:", *problems])

    def check_unit_kinds_in_use(self) -> None:
        """UnitKindsError naming every kind units have that the kinds file no longer declares,
        so the app refuses to start instead of showing raw keys (no table: none)."""
        with self.unit_of_work(write=False) as uow:
            if not inspect(uow.session.connection()).has_table(Unit.__tablename__):
                return
            used = uow.session.execute(select(Unit.kind, func.count(), func.min(Unit.code))
                                       .group_by(Unit.kind).order_by(Unit.kind)).all()
        problems = [f"{kind!r}: {count} unit(s), e.g. {code}; declare the kind again or change "
                    "those units' kind" for kind, count, code in used if kind not in self.unit_kinds]
        if problems:
            raise UnitKindsError([f"units have kinds not declared in {self.unit_kinds.source}:",
                                  *problems])

    def _unloaded(self, name: str, version: int, digest: str, findings: int) -> str | None:
        label = f"{name}@{version} (hash {digest[:12]}, {findings} finding(s))"
        try:
            loaded = self.registry.get(name, version)
        except UnknownLifecycle:
            return f"{label}: no such definition file; restore it"
        if loaded.digest != digest:
            return (f"{label}: the file was changed (now hash {loaded.digest[:12]}); restore "
                    "it and publish changes as a new version")
        return None


class UnitOfWork:
    """One transaction: rolls back on leaving unless commit() was called first."""

    def __init__(self, rectify: Rectify, write: bool) -> None:
        self.registry = rectify.registry
        self.unit_kinds = rectify.unit_kinds
        self.store = rectify.store
        self.calendar = rectify.calendar
        self.light_policy = rectify.settings.light
        self.burden_policy = rectify.settings.burden
        self.document_templates = rectify.document_templates
        self._clock = rectify.clock
        self.zone = rectify.zone
        self._database, self._write = rectify.database, write
        self.session: Session

    def now(self) -> datetime:
        return self._clock()

    def today(self) -> date:
        """Today in the organisation's time zone: what date limits are relative to."""
        return self._clock().astimezone(self.zone).date()

    def __enter__(self) -> UnitOfWork:
        self.session = self._database.session(write=self._write)
        self.session.info[REGISTRY] = self.registry  # what appended events mean (stats_facts)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            self.session.rollback()
        finally:
            self.session.close()

    def commit(self) -> None:
        self.session.commit()
