"""Clients and their campaigns: what is asked, in which languages, when, how often.

A campaign's state changes only through its methods, which refuse an illegal change with
:class:`IllegalStateChange` (code ``illegal_state_change``).
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dialer.errors import IllegalStateChange
from dialer.models.base import Base, UTCDateTime, WeeklyTimes
from dialer.models.calls import DialingMode
from dialer.models.enums import enum_column
from dialer.models.people import LanguageLevel

#: Number types a campaign calls unless told otherwise (phonenumbers' names, lower case).
DEFAULT_NUMBER_TYPES = ("mobile", "fixed_line", "fixed_line_or_mobile")


class CampaignState(enum.Enum):
    """Where a campaign is in its life. Only ``running`` campaigns are dispatched."""

    DRAFT = "draft"
    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"


#: The changes a campaign may make: from a state, by a verb, to a state.
_TRANSITIONS: dict[tuple[CampaignState, str], CampaignState] = {
    (CampaignState.DRAFT, "start"): CampaignState.RUNNING,
    (CampaignState.RUNNING, "pause"): CampaignState.PAUSED,
    (CampaignState.PAUSED, "resume"): CampaignState.RUNNING,
    (CampaignState.DRAFT, "finish"): CampaignState.FINISHED,
    (CampaignState.RUNNING, "finish"): CampaignState.FINISHED,
    (CampaignState.PAUSED, "finish"): CampaignState.FINISHED,
}


class Client(Base):
    """A market-research client, owner of campaigns."""

    __tablename__ = "clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: The language the client reads reports and export labels in (a product language).
    language: Mapped[str] = mapped_column(String(16), default="en", server_default="en")

    campaigns: Mapped[list[Campaign]] = relationship(back_populates="client")


class Campaign(Base):
    """One questionnaire version fielded for a client over a contact list."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    #: The questionnaire file, and the identity it must still have when loaded.
    questionnaire_path: Mapped[str] = mapped_column(String(500))
    questionnaire_slug: Mapped[str] = mapped_column(String(100))
    questionnaire_version: Mapped[int] = mapped_column()
    #: Interview languages offered to respondents (a subset of the questionnaire's).
    languages: Mapped[list[str]] = mapped_column(JSON)
    #: ISO 3166 region codes numbers may belong to; the first one reads national numbers.
    allowed_countries: Mapped[list[str]] = mapped_column(JSON)
    allowed_number_types: Mapped[list[str]] = mapped_column(
        JSON, default=lambda: list(DEFAULT_NUMBER_TYPES))
    max_attempts: Mapped[int] = mapped_column(default=6)
    #: Higher first.
    priority: Mapped[int] = mapped_column(default=0)
    minimum_language_level: Mapped[LanguageLevel] = mapped_column(
        enum_column(LanguageLevel), default=LanguageLevel.FLUENT)
    skip_public_holidays: Mapped[bool] = mapped_column(default=True)
    state: Mapped[CampaignState] = mapped_column(enum_column(CampaignState),
                                                 default=CampaignState.DRAFT)
    dialing_mode: Mapped[DialingMode] = mapped_column(enum_column(DialingMode),
                                                      default=DialingMode.PROGRESSIVE)
    #: A call still going after this long is hung up by the dialer.
    max_call_minutes: Mapped[int] = mapped_column(default=30)
    #: How long a call rings before it counts as not answered.
    no_answer_seconds: Mapped[int] = mapped_column(default=30)
    #: Contact fields of the questionnaire that exports may carry (GDPR: none unless the
    #: client's campaign needs them); phone numbers never.
    export_contact_fields: Mapped[list[str]] = mapped_column(
        JSON, default=list, server_default="[]")

    client: Mapped[Client] = relationship(back_populates="campaigns")
    windows: Mapped[list[CallingWindow]] = relationship(cascade="all, delete-orphan")
    retry_rules: Mapped[list[RetryRule]] = relationship(cascade="all, delete-orphan")

    __table_args__ = (
        CheckConstraint("max_attempts >= 1", name="max_attempts_positive"),
        CheckConstraint("max_call_minutes >= 1", name="max_call_positive"),
        CheckConstraint("no_answer_seconds BETWEEN 5 AND 300", name="no_answer_range"),
    )

    def __init__(self, **fields: Any) -> None:
        fields.setdefault("state", CampaignState.DRAFT)
        fields.setdefault("dialing_mode", DialingMode.PROGRESSIVE)
        fields.setdefault("max_call_minutes", 30)
        fields.setdefault("no_answer_seconds", 30)
        fields.setdefault("export_contact_fields", [])
        super().__init__(**fields)

    def start(self) -> None:
        """Begin dialing a draft campaign."""
        self._change("start")

    def pause(self) -> None:
        """Stop dispatching a running campaign for now."""
        self._change("pause")

    def resume(self) -> None:
        """Dispatch a paused campaign again."""
        self._change("resume")

    def finish(self) -> None:
        """Close the campaign for good; nothing is dispatched any more."""
        self._change("finish")

    def _change(self, verb: str) -> None:
        target = _TRANSITIONS.get((self.state, verb))
        if target is None:
            raise IllegalStateChange(
                "illegal_state_change",
                f"campaign {self.code}: cannot {verb} a {self.state.value} campaign")
        self.state = target

    def retry_delay(self, outcome: str) -> dt.timedelta | None:
        """How long to wait before calling again after ``outcome``; None when no rule exists."""
        for rule in self.retry_rules:
            if rule.outcome == outcome:
                return dt.timedelta(minutes=rule.delay_minutes)
        return None


class CallingWindow(WeeklyTimes, Base):
    """When respondents may be called, in their own local time: one weekday, start to end."""

    __tablename__ = "calling_windows"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"),
                                             index=True)

    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
        CheckConstraint("start < \"end\"", name="start_before_end"),
    )


class RetryRule(Base):
    """How long to wait before calling a contact again after an AAPOR disposition (``3.12``
    busy, ...); overrides the defaults of :mod:`dialer.outcomes` code by code."""

    __tablename__ = "retry_rules"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"),
                                             primary_key=True)
    outcome: Mapped[str] = mapped_column(String(40), primary_key=True)
    delay_minutes: Mapped[int] = mapped_column()

    __table_args__ = (CheckConstraint("delay_minutes >= 0", name="delay_not_negative"),)


class ClosedQuota(Base):
    """A quota of the campaign's questionnaire declared full: contacts it matches are set
    aside, those imported later too (see :mod:`dialer.quotas`)."""

    __tablename__ = "closed_quotas"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"),
                                             primary_key=True)
    quota_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    closed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
