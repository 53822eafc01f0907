"""Sites (prisons) and their agents: languages, skills, shifts.

Agents are known by a pseudonymous code only; nothing here names an inmate. The hourly pay rate
belongs to the site, because the legal rate for prison work is set per institution and differs
from what a client pays.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dialer.models.base import Base, UTCDateTime, WeeklyTimes
from dialer.models.enums import enum_column


class LanguageLevel(enum.Enum):
    """How well an agent speaks a language, from weakest to strongest."""

    BASIC = "basic"
    WORKING = "working"
    FLUENT = "fluent"
    NATIVE = "native"

    @property
    def rank(self) -> int:
        """Position from weakest (0) to strongest, for "at least this level" comparisons."""
        return list(LanguageLevel).index(self)


class Site(Base):
    """A prison (or any call-centre site), with its time zone and its pay rate for agents."""

    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    time_zone: Mapped[str] = mapped_column(String(64))
    hourly_pay_rate: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    pay_currency: Mapped[str] = mapped_column(String(3))

    agents: Mapped[list[Agent]] = relationship(back_populates="site")

    __table_args__ = (CheckConstraint("hourly_pay_rate >= 0", name="pay_rate_not_negative"),)


class Agent(Base):
    """An interviewer, known by a pseudonymous code, working at one site."""

    __tablename__ = "agents"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    interface_language: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(default=True)
    #: Since when the agent has been waiting for a call; None while busy or away.
    ready_since: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)

    site: Mapped[Site] = relationship(back_populates="agents")
    languages: Mapped[list[AgentLanguage]] = relationship(
        back_populates="agent", cascade="all, delete-orphan")
    skills: Mapped[list[AgentSkill]] = relationship(cascade="all, delete-orphan")
    shifts: Mapped[list[Shift]] = relationship(cascade="all, delete-orphan")


class AgentLanguage(Base):
    """A language an agent speaks, with a level."""

    __tablename__ = "agent_languages"

    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"),
                                          primary_key=True)
    language: Mapped[str] = mapped_column(String(16), primary_key=True)
    level: Mapped[LanguageLevel] = mapped_column(enum_column(LanguageLevel))

    agent: Mapped[Agent] = relationship(back_populates="languages")


class AgentSkill(Base):
    """A skill an agent has been trained for, such as ``refusal_conversion``."""

    __tablename__ = "agent_skills"

    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"),
                                          primary_key=True)
    skill: Mapped[str] = mapped_column(String(40), primary_key=True)


class Shift(WeeklyTimes, Base):
    """A weekly shift in the site's local time; ``end <= start`` means it ends the next day."""

    __tablename__ = "shifts"

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"),
                                          index=True)

    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
        UniqueConstraint("agent_id", "weekday", "start"),
    )
