"""Contacts to call, the groups dispatch reads them by, the do-not-call list and per-agent
exclusions.

A contact belongs to one dispatch group: its campaign, language, time zone and country. Calling
windows and languages are decided per group (a few hundred at most), so finding the next contact
is an index probe over the open groups, however many contacts there are.

A claim pushes ``due_at`` to the end of its lease: a held contact is simply not due, and comes
back by itself when a dead holder's lease runs out.

Contacts carry few indexes on purpose: every claim moves ``due_at``, so PostgreSQL cannot update
the row in place (HOT) and writes a new entry into every index of the table.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dialer.models.base import Base, UTCDateTime, utc_now
from dialer.models.enums import enum_column


class ContactState(enum.Enum):
    """Whether a contact may still be dispatched."""

    WAITING = "waiting"
    DONE = "done"
    QUOTA_FULL = "quota_full"
    #: The number was put on the do-not-call list after the contact was imported.
    DO_NOT_CALL = "do_not_call"


class ContactPhase(enum.IntEnum):
    """What kind of call comes next, in dispatch order: appointments, retries, fresh contacts."""

    APPOINTMENT = 0
    RETRY = 1
    FRESH = 2
    #: A soft refusal to be converted, only by an agent with the conversion skill. Its number
    #: orders nothing: dispatch puts conversions after retries and before fresh contacts.
    CONVERSION = 3


class DispatchGroup(Base):
    """Contacts of one campaign sharing language, time zone and country."""

    __tablename__ = "dispatch_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(16))
    time_zone: Mapped[str] = mapped_column(String(64))
    country: Mapped[str] = mapped_column(String(2))

    __table_args__ = (UniqueConstraint("campaign_id", "language", "time_zone", "country"),)


class Contact(Base):
    """A respondent to call: number in E.164, group, questionnaire fields, dispatch state."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(ForeignKey("dispatch_groups.id"))
    phone_e164: Mapped[str] = mapped_column(String(16))
    #: The number as agents may see it, masked once when the contact is stored.
    masked_number: Mapped[str] = mapped_column(String(32))
    #: The fields the questionnaire declares, in their stored (JSON) form.
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[ContactState] = mapped_column(enum_column(ContactState),
                                                default=ContactState.WAITING)
    phase: Mapped[int] = mapped_column(default=int(ContactPhase.FRESH))
    #: When the contact may next be called (UTC); the end of the lease while held.
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utc_now)
    attempts: Mapped[int] = mapped_column(default=0)
    held_by_agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), default=None)
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    appointment_agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), default=None)
    #: The AAPOR disposition of the last attempt while the contact waits; its final
    #: disposition once it is done.
    disposition: Mapped[str | None] = mapped_column(String(8), default=None)
    #: The line of the import file the contact came from, for reports.
    import_line: Mapped[int | None] = mapped_column(default=None)

    group: Mapped[DispatchGroup] = relationship()

    __table_args__ = (
        UniqueConstraint("campaign_id", "phone_e164"),
        Index("ix_contacts_dispatch", "phase", "group_id", "due_at",
              sqlite_where=text("state = 'waiting'"),
              postgresql_where=text("state = 'waiting'")),
    )

    @property
    def language(self) -> str:
        """The interview language."""
        return self.group.language

    @property
    def time_zone(self) -> str:
        """The respondent's IANA time zone."""
        return self.group.time_zone


class DoNotCall(Base):
    """A number that asked never to be called again, for any campaign."""

    __tablename__ = "do_not_call"

    phone_e164: Mapped[str] = mapped_column(String(16), primary_key=True)
    reason: Mapped[str] = mapped_column(String(200), default="")
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utc_now)


class AgentExclusion(Base):
    """A number, or a prefix of numbers, one agent must never be connected to (victims and
    relatives). ``prefix`` is E.164 digits with the plus sign: a whole number or its start."""

    __tablename__ = "agent_exclusions"

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    prefix: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(200), default="")

    __table_args__ = (UniqueConstraint("agent_id", "prefix"),)
