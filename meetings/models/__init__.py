"""Meetings of the TPPS and what they produce, one module per aggregate.

The commitment (RTL) models live in the commitments package (`meetings.commitments`) and
are registered here, under the meetings app. Audits will link their recommendations to
commitments; the dependency is one way (audits imports meetings, never the reverse).
"""

from ..commitments.models import (
    Commitment,
    CommitmentQuerySet,
    CommitmentUpdate,
    Evidence,
    EvidenceQuerySet,
    evidence_path,
)
from .calendar import CalendarFeed, new_feed_token
from .invitations import Attendance, Invitation, contacts_of
from .meeting import (
    CHECKIN_OPENS_BEFORE,
    WRITER_ROLES,
    AgendaItem,
    Meeting,
    MeetingQuerySet,
    user_organisations,
)
from .minutes import MeetingDocument, Minutes, MinutesVersion, document_path

__all__ = [
    "CHECKIN_OPENS_BEFORE",
    "WRITER_ROLES",
    "AgendaItem",
    "Attendance",
    "CalendarFeed",
    "Commitment",
    "CommitmentQuerySet",
    "CommitmentUpdate",
    "Evidence",
    "EvidenceQuerySet",
    "Invitation",
    "Meeting",
    "MeetingDocument",
    "MeetingQuerySet",
    "Minutes",
    "MinutesVersion",
    "contacts_of",
    "document_path",
    "evidence_path",
    "new_feed_token",
    "user_organisations",
]
