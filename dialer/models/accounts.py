"""Who may sign in, and from where: staff accounts, agents' PINs, the workstations of each site,
and the records the sign-in keeps (failed attempts for throttling, server-side sessions).

Plain tables: the dialer knows nothing of the web. Secrets are stored only as argon2 hashes
(:mod:`dialer.passwords`); a session is stored by the SHA-256 of its token, so reading the
table gives no usable session.

- A :class:`User` is an administrator, a supervisor (of one site) or a client's person (of one
  client organisation), signing in with a login and a password.
- An agent signs in with their pseudonymous code and a PIN (:class:`AgentPin`), only from a
  :class:`Workstation` address of their site and only during their shift.
- :class:`LoginFailure` rows count failed sign-ins per account and per address.
- :class:`WebSession` rows are the sessions themselves; ended ones stay as the agents' record
  of hours worked.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dialer.models.base import Base, UTCDateTime, utc_now
from dialer.models.enums import enum_column


class Role(enum.Enum):
    """What a person signed in may do. Agents are not users: they sign in with code and PIN."""

    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    CLIENT = "client"
    AGENT = "agent"


class User(Base):
    """A staff or client account: login, argon2 password hash, role and what it belongs to."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(60), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    #: The site a supervisor supervises (None for other roles).
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"), default=None,
                                                index=True)
    #: The client organisation a client's person belongs to (None for other roles).
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id"), default=None,
                                                  index=True)
    interface_language: Mapped[str] = mapped_column(String(16), default="en")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utc_now)

    __table_args__ = (
        CheckConstraint("role <> 'agent'", name="not_agent"),
        CheckConstraint("(role = 'supervisor') = (site_id IS NOT NULL)",
                        name="supervisor_has_site"),
        CheckConstraint("(role = 'client') = (client_id IS NOT NULL)",
                        name="client_has_client"),
    )


class AgentPin(Base):
    """An agent's PIN, as an argon2 hash."""

    __tablename__ = "agent_pins"

    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"),
                                          primary_key=True)
    pin_hash: Mapped[str] = mapped_column(String(200))
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utc_now)


class Workstation(Base):
    """An address (or a network, in CIDR notation) agents of a site may sign in from."""

    __tablename__ = "workstations"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    #: ``10.17.0.21``, ``10.17.0.0/24``, ``::1``: normalized by :mod:`ipaddress`.
    network: Mapped[str] = mapped_column(String(64))

    __table_args__ = (UniqueConstraint("site_id", "network"),)


class LoginFailure(Base):
    """One failed sign-in: which account was tried, from which address, when."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``user:LOGIN`` or ``agent:CODE``, as typed (lower case), known or not.
    account: Mapped[str] = mapped_column(String(80))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utc_now)

    __table_args__ = (Index("ix_login_failures_account", "account", "at"),
                      Index("ix_login_failures_address", "address", "at"))


class WebSession(Base):
    """A signed-in session, known by the SHA-256 of its token. It ends at logout, after
    ``idle`` without a request, at ``expires_at`` (absolute time-out, or an agent's shift
    end), or when it is revoked."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[Role] = mapped_column(enum_column(Role))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                                default=None, index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"),
                                                 default=None, index=True)
    #: The address signed in from; requests from another address end the session.
    address: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    #: logout, idle, expired, shift_end, address_changed, revoked, replaced.
    end_reason: Mapped[str | None] = mapped_column(String(20), default=None)

    __table_args__ = (
        CheckConstraint("(user_id IS NULL) <> (agent_id IS NULL)", name="one_principal"),
    )
