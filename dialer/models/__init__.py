"""The dialer's tables, as typed SQLAlchemy 2.0 models.

Importing this package registers every model on :data:`Base.metadata` (Alembic and tests need
all of them at once).
"""

from dialer.models.accounts import AgentPin, LoginFailure, Role, User, WebSession, Workstation
from dialer.models.base import Base, UTCDateTime, utc_now
from dialer.models.calls import (
    AnswerKind,
    AnswerRecord,
    Attempt,
    DialingMode,
    Interview,
    TraceCheckpoint,
    TraceEvent,
    TraceHead,
)
from dialer.models.campaigns import (
    CallingWindow,
    Campaign,
    CampaignState,
    Client,
    ClosedQuota,
    RetryRule,
)
from dialer.models.contacts import (
    AgentExclusion,
    Contact,
    ContactPhase,
    ContactState,
    DispatchGroup,
    DoNotCall,
)
from dialer.models.control import DialingSwitch
from dialer.models.partners import PartnerToken, PartnerTokenCampaign
from dialer.models.people import Agent, AgentLanguage, AgentSkill, LanguageLevel, Shift, Site
from dialer.models.portal import ClientQuestionnaire, ContactImport

__all__ = [
    "Agent", "AgentExclusion", "AgentLanguage", "AgentPin", "AgentSkill", "AnswerKind",
    "AnswerRecord", "Attempt", "Base", "CallingWindow", "Campaign", "CampaignState", "Client",
    "ClientQuestionnaire", "ClosedQuota", "Contact", "ContactImport", "ContactPhase",
    "ContactState", "DialingMode", "DialingSwitch", "DispatchGroup", "DoNotCall", "Interview",
    "LanguageLevel", "LoginFailure", "PartnerToken", "PartnerTokenCampaign", "RetryRule",
    "Role", "Shift", "Site", "TraceCheckpoint", "TraceEvent", "TraceHead", "UTCDateTime",
    "User", "WebSession", "Workstation", "utc_now",
]
