"""Settings from the environment: database URL, instance folder, definitions folder."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class LightPolicy:
    """The traffic light's threshold: yellow when due within this many working days
    (RECTIFY_YELLOW_WORKING_DAYS). The overdue level of a red light is the escalation
    ladder's (findings.overdue_level), declared in the definitions."""

    yellow_working_days: int = 3

    @classmethod
    def from_env(cls) -> LightPolicy:
        return cls(int(os.environ.get("RECTIFY_YELLOW_WORKING_DAYS", 3)))


@dataclass(frozen=True)
class Settings:
    database_url: str
    instance_path: Path
    definitions_path: Path
    max_upload_bytes: int = 10 * 1024 * 1024
    unlinked_max_files: int = 50  # per user: uploads not yet used as evidence on a finding
    unlinked_max_bytes: int = 200 * 1024 * 1024
    timezone: str = "Asia/Shanghai"
    calendar_path: Path | None = None  # the organisation's working-day calendar override file
    light: LightPolicy = field(default_factory=LightPolicy)
    digest_hour: int = 8  # local hour from which `rectify tick` sends the daily digests

    @property
    def attachments_path(self) -> Path:
        return self.instance_path / "attachments"

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        instance = Path(os.environ.get("RECTIFY_INSTANCE_PATH", Path.cwd() / "instance"))
        values: dict[str, object] = {
            "instance_path": instance.resolve(),
            "database_url": os.environ.get(
                "RECTIFY_DATABASE_URL", f"sqlite:///{(instance / 'rectify.db').resolve()}"
            ),
            "definitions_path": Path(
                os.environ.get("RECTIFY_DEFINITIONS", REPO_ROOT / "definitions")
            ).resolve(),
            "max_upload_bytes": int(os.environ.get("RECTIFY_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)),
            "unlinked_max_files": int(os.environ.get("RECTIFY_UNLINKED_MAX_FILES", 50)),
            "unlinked_max_bytes": int(os.environ.get("RECTIFY_UNLINKED_MAX_BYTES",
                                                     200 * 1024 * 1024)),
            "timezone": os.environ.get("RECTIFY_TIMEZONE", "Asia/Shanghai"),
            "calendar_path": _optional_path(os.environ.get("RECTIFY_CALENDAR")),
            "light": LightPolicy.from_env(),
            "digest_hour": int(os.environ.get("RECTIFY_DIGEST_HOUR", 8)),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]


def _optional_path(value: str | None) -> Path | None:
    return Path(value).resolve() if value else None
