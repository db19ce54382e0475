"""SQLAlchemy 2.x typed models: the unit tree, people, campaigns, findings and their events
(core), evidence files (evidence), parties, links and letters (coordination), notifications and
the outbox (messaging), imported spreadsheet rows (imports), browser sessions (sessions), the
admin log (admin_log); one metadata for Alembic (base)."""

from workflow.models.admin_log import AdminChange
from workflow.models.base import NAMING, Base, JSONType, UTCDateTime, utcnow
from workflow.models.coordination import (
    FindingLink,
    FindingParty,
    Letter,
    LetterAddressee,
    LetterAttachment,
    LetterCounter,
)
from workflow.models.core import (
    ApiToken,
    Campaign,
    CodeCounter,
    Event,
    Finding,
    Inspection,
    Unit,
    User,
)
from workflow.models.evidence import Attachment, FindingAttachment
from workflow.models.imports import ImportRow
from workflow.models.messaging import Notification, OutboxMessage, WebhookEndpoint
from workflow.models.saved import SavedFilter
from workflow.models.sessions import LoginSession
from workflow.models.tallies import FindingTally, TallyChange, TallyClock, TallyState, ValueTally

__all__ = [
    "NAMING", "AdminChange", "ApiToken", "Attachment", "Base", "Campaign", "CodeCounter", "Event", "Finding",
    "FindingAttachment", "FindingLink", "FindingParty", "FindingTally", "ImportRow", "Inspection",
    "JSONType", "Letter", "LetterAddressee", "LetterAttachment", "LetterCounter", "LoginSession",
    "Notification", "OutboxMessage", "SavedFilter", "TallyChange", "TallyClock", "TallyState",
    "UTCDateTime", "Unit", "User", "ValueTally", "WebhookEndpoint", "utcnow",
]
