"""Settings from the environment: database URL, instance folder, definitions folder, delivery."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SHIPPED_UNIT_KINDS = REPO_ROOT / "definitions" / "unit_kinds.yaml"


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
class BurdenPolicy:
    """Burden on the grassroots (减轻基层负担): inspections of a unit or its parent by other
    bodies within overlap_days are shown when one is recorded (RECTIFY_INSPECTION_OVERLAP_DAYS);
    a unit inspected more than threshold times within period_days is flagged on the dashboard
    (RECTIFY_INSPECTION_THRESHOLD, RECTIFY_INSPECTION_PERIOD_DAYS)."""

    overlap_days: int = 30
    threshold: int = 4
    period_days: int = 30

    @classmethod
    def from_env(cls) -> BurdenPolicy:
        env = os.environ.get
        return cls(int(env("RECTIFY_INSPECTION_OVERLAP_DAYS", 30)),
                   int(env("RECTIFY_INSPECTION_THRESHOLD", 4)),
                   int(env("RECTIFY_INSPECTION_PERIOD_DAYS", 30)))


MAIL_BACKENDS = ("smtp", "files", "off")


@dataclass(frozen=True)
class DeliverySettings:
    """How the outbox leaves the process (RECTIFY_MAIL = smtp | files | off; files writes each
    mail as an .eml under instance/mail), the SMTP server, absolute links, retries."""

    mail: str = "files"
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    mail_from: str = "Rectify <rectify@localhost>"
    base_url: str = "http://127.0.0.1:5000"
    max_attempts: int = 8
    backoff_seconds: float = 30.0  # the first retry's delay; doubles each time, with jitter
    backoff_cap_seconds: float = 6 * 3600.0
    lease_seconds: float = 300.0  # a claimed message is re-claimed after this if never marked
    webhook_timeout: float = 10.0

    def __post_init__(self) -> None:
        if self.mail not in MAIL_BACKENDS:
            raise ValueError(f"RECTIFY_MAIL must be one of {', '.join(MAIL_BACKENDS)}, "
                             f"not {self.mail!r}")

    @classmethod
    def from_env(cls) -> DeliverySettings:
        env = os.environ.get
        return cls(mail=env("RECTIFY_MAIL", "files").strip().lower(),
                   smtp_host=env("RECTIFY_SMTP_HOST", "localhost"),
                   smtp_port=int(env("RECTIFY_SMTP_PORT", 25)),
                   smtp_user=env("RECTIFY_SMTP_USER", ""),
                   smtp_password=env("RECTIFY_SMTP_PASSWORD", ""),
                   smtp_starttls=env("RECTIFY_SMTP_STARTTLS", "").lower() in {"1", "true", "yes"},
                   mail_from=env("RECTIFY_SMTP_FROM", "Rectify <rectify@localhost>"),
                   base_url=env("RECTIFY_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
                   max_attempts=int(env("RECTIFY_DELIVERY_MAX_ATTEMPTS", 8)),
                   backoff_seconds=float(env("RECTIFY_DELIVERY_BACKOFF_SECONDS", 30)),
                   backoff_cap_seconds=float(env("RECTIFY_DELIVERY_BACKOFF_CAP_SECONDS", 21600)))


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
    burden: BurdenPolicy = field(default_factory=BurdenPolicy)
    digest_hour: int = 8  # local hour from which `rectify tick` sends the daily digests
    tick_seconds: float = 60.0  # `rectify serve`'s background scheduler: seconds between ticks
    delivery: DeliverySettings = field(default_factory=DeliverySettings)
    unit_kinds_path: Path = SHIPPED_UNIT_KINDS  # RECTIFY_UNIT_KINDS: the kinds of unit declared
    # The organisation's document templates (RECTIFY_DOCUMENT_TEMPLATES): a file there named
    # like a shipped one (notice.zh.docx, ...) replaces it. Default: instance/document-templates.
    document_templates: Path | None = None
    # Evidence in an S3-compatible bucket (RECTIFY_ATTACHMENTS_URL=s3://bucket/prefix, and
    # RECTIFY_S3_ENDPOINT_URL for a server other than AWS) when several hosts serve; default:
    # the folder instance/attachments.
    attachments_url: str | None = None
    s3_endpoint_url: str | None = None

    @property
    def document_templates_path(self) -> Path:
        return self.document_templates or self.instance_path / "document-templates"

    @property
    def attachments_path(self) -> Path:
        return self.instance_path / "attachments"

    @property
    def mail_path(self) -> Path:
        """Where the "files" mail backend writes each message as <key>.eml."""
        return self.instance_path / "mail"

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
            "burden": BurdenPolicy.from_env(),
            "digest_hour": int(os.environ.get("RECTIFY_DIGEST_HOUR", 8)),
            "tick_seconds": float(os.environ.get("RECTIFY_TICK_SECONDS", 60)),
            "delivery": DeliverySettings.from_env(),
            "unit_kinds_path": Path(os.environ.get("RECTIFY_UNIT_KINDS") or SHIPPED_UNIT_KINDS).resolve(),
            "document_templates": _optional_path(os.environ.get("RECTIFY_DOCUMENT_TEMPLATES")),
            "attachments_url": os.environ.get("RECTIFY_ATTACHMENTS_URL") or None,
            "s3_endpoint_url": os.environ.get("RECTIFY_S3_ENDPOINT_URL") or None,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]


def _optional_path(value: str | None) -> Path | None:
    return Path(value).resolve() if value else None
