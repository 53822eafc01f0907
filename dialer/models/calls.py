"""Call attempts, interviews with their answers, and the append-only call trace.

- An :class:`Attempt` is one try at reaching a contact: claimed for an agent, dialed by its id
  (the number is resolved from the contact by the dialer, never carried here), and ended with
  an AAPOR disposition code.
- An :class:`Interview` belongs to a contact and may span attempts (a partial resumed on
  callback). It is pinned to the questionnaire version and the hash of the catalog of its
  language; ``state`` is the interview engine's resumable state, rewritten with every answer.
- :class:`AnswerRecord` rows are appended, never changed: every answer as given, with the order
  its options were shown in, every withdrawal (back one question) and every correction made in
  quality control.
- :class:`TraceEvent` rows form one hash chain per campaign (see :mod:`dialer.trace`);
  :class:`TraceHead` holds the end of each chain, so a removed last event is noticed, and
  :class:`TraceCheckpoint` the signed checkpoints handed out to keep.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from dialer.models.base import Base, UTCDateTime, utc_now
from dialer.models.enums import enum_column


class DialingMode(enum.Enum):
    """How calls are placed. There is no predictive mode: an answered call always has an agent."""

    #: The agent reads the case, then presses call.
    PREVIEW = "preview"
    #: One call is placed as soon as an agent is ready.
    PROGRESSIVE = "progressive"


class AnswerKind(enum.Enum):
    """What an answer row records."""

    GIVEN = "given"
    #: Withdrawn by going back one question during the call.
    WITHDRAWN = "withdrawn"
    #: Changed after the call, in quality control.
    CORRECTED = "corrected"


class Attempt(Base):
    """One try at reaching a contact, from its claim to its disposition."""

    __tablename__ = "attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"),
                                            index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"), index=True)
    #: 1 for the contact's first attempt, and so on.
    ordinal: Mapped[int] = mapped_column()
    mode: Mapped[DialingMode] = mapped_column(enum_column(DialingMode))
    claimed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    #: The end of the claim's lease: the dialer refuses to dial once it has passed.
    lease_until: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    dialed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    #: When the respondent was put through to the agent; answers need it.
    connected_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    #: What the attempt came to (:class:`dialer.outcomes.CallEnding` value).
    ending: Mapped[str | None] = mapped_column(String(40), default=None)
    #: The AAPOR disposition code of this attempt ("3.13"...).
    disposition: Mapped[str | None] = mapped_column(String(8), default=None)
    #: Why the dialer refused to dial, when it did (a reason code, never the number).
    refusal: Mapped[str | None] = mapped_column(String(40), default=None)

    __table_args__ = (UniqueConstraint("contact_id", "ordinal"),
                      # the latest refused dials, for the supervisors' live board
                      Index("ix_attempts_refused", "id",
                            sqlite_where=text("refusal IS NOT NULL"),
                            postgresql_where=text("refusal IS NOT NULL")),
                      # an agent's open attempt, read with every claim: without it, every
                      # attempt the agent ever made is read
                      Index("ix_attempts_open", "agent_id",
                            sqlite_where=text("ended_at IS NULL"),
                            postgresql_where=text("ended_at IS NULL")))


class Interview(Base):
    """A contact's interview, pinned to a questionnaire version and its catalog."""

    __tablename__ = "interviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"),
                                            unique=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"),
                                             index=True)
    questionnaire_slug: Mapped[str] = mapped_column(String(100))
    questionnaire_version: Mapped[int] = mapped_column()
    language: Mapped[str] = mapped_column(String(16))
    #: SHA-256 of the compiled catalog the interview is asked with.
    catalog_sha256: Mapped[str | None] = mapped_column(String(64))
    #: The interview engine's state (JSON), rewritten in the transaction of every answer.
    state: Mapped[str] = mapped_column(Text)
    #: The questionnaire's outcome once ended (complete, refusal, screened_out, quota_full).
    outcome: Mapped[str | None] = mapped_column(String(20), default=None)
    #: Questions answered, and at most how many remain: their ratio tells a partial (1.2)
    #: from a break-off (2.12).
    answered: Mapped[int] = mapped_column(default=0)
    remaining: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id"), default=None)
    #: The call during which the questionnaire reached its outcome (None while running).
    ended_attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id"),
                                                         default=None)


class AnswerRecord(Base):
    """One answer given, withdrawn or corrected; rows are only ever appended."""

    __tablename__ = "answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"),
                                              index=True)
    #: The call it was given in; None for a correction made after the call.
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id"), default=None)
    question_id: Mapped[str] = mapped_column(String(100))
    kind: Mapped[AnswerKind] = mapped_column(enum_column(AnswerKind))
    #: The answer in the interview engine's stored form (None for a withdrawal).
    value: Mapped[Any] = mapped_column(JSON, nullable=True, default=None)
    #: Option codes in the order they were shown, for questions with options.
    shown_order: Mapped[list[int] | None] = mapped_column(JSON, default=None)
    actor: Mapped[str] = mapped_column(String(60))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utc_now)


class TraceEvent(Base):
    """One event of a campaign's call trace, chained to the one before it by its hash."""

    __tablename__ = "trace_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    #: Position in the campaign's chain, from 1, without gaps.
    seq: Mapped[int] = mapped_column()
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(40))
    #: Who acted: ``agent:CODE``, ``dialer``, ``telephony:sim``, ``supervisor:NAME``...
    actor: Mapped[str] = mapped_column(String(60))
    contact_id: Mapped[int | None] = mapped_column(default=None)
    attempt_id: Mapped[int | None] = mapped_column(default=None, index=True)
    interview_id: Mapped[int | None] = mapped_column(default=None, index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (UniqueConstraint("campaign_id", "seq"),
                      Index("ix_trace_events_contact", "contact_id"))


class TraceHead(Base):
    """The last event of a campaign's chain; appending locks this row."""

    __tablename__ = "trace_heads"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), primary_key=True)
    seq: Mapped[int] = mapped_column()
    hash: Mapped[str] = mapped_column(String(64))


class TraceCheckpoint(Base):
    """A signed statement that a campaign's chain had ``hash`` at event ``seq``."""

    __tablename__ = "trace_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    seq: Mapped[int] = mapped_column()
    hash: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    #: Raw Ed25519 public key, hexadecimal.
    public_key: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(128))
