"""SQLAlchemy 2.x typed models: the unit tree, people, campaigns, findings and their events
(core), notifications and the outbox (messaging); one metadata for Alembic (base)."""

from workflow.models.base import NAMING, Base, JSONType, UTCDateTime, utcnow
from workflow.models.core import (
    ApiToken,
    Attachment,
    Campaign,
    CodeCounter,
    Event,
    Finding,
    FindingAttachment,
    Inspection,
    Unit,
    User,
)
from workflow.models.messaging import Notification, OutboxMessage, WebhookEndpoint

__all__ = [
    "NAMING", "ApiToken", "Attachment", "Base", "Campaign", "CodeCounter", "Event", "Finding",
    "FindingAttachment", "Inspection", "JSONType", "Notification", "OutboxMessage",
    "UTCDateTime", "Unit", "User", "WebhookEndpoint", "utcnow",
]
