"""Partner API tokens: who may pull the interviews of which campaigns through the partner API.

A token is shown once, when it is issued, and stored only as the SHA-256 of its text: reading
this table gives no usable token. Its ``key`` (the short random part after the ``sep_``
prefix) names it in lists and in the trace of who issued and revoked it; the secret after the
key is never stored. A token is scoped to one or more campaigns
(:class:`PartnerTokenCampaign`), expires at ``expires_at``, and can be revoked at any time
(``revoked_at``); revoked tokens stay as the record of who had access.

Plain tables: the web application reads them, the dialer knows nothing of it
(:mod:`results.partner_tokens` holds the operations).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dialer.models.base import Base, UTCDateTime, utc_now
from dialer.models.campaigns import Campaign


class PartnerToken(Base):
    """A partner's bearer token: its name, who issued it and when, its expiry, its last use,
    and its revocation."""

    __tablename__ = "partner_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The public part of the token (``sep_KEY_SECRET``): names it, proves nothing.
    key: Mapped[str] = mapped_column(String(16), unique=True)
    #: SHA-256 of the whole token text, in hex: what a presented token is looked up by.
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    #: What the token is for, e.g. the partner and the system that uses it.
    name: Mapped[str] = mapped_column(String(80))
    #: Who issued it (``admin:LOGIN``, ``cli:USER``).
    created_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utc_now)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    #: When the token was last accepted (kept to the minute: not written on every request).
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    revoked_by: Mapped[str | None] = mapped_column(String(60), default=None)

    campaigns: Mapped[list[Campaign]] = relationship(
        secondary="partner_token_campaigns", order_by=Campaign.code, lazy="selectin")

    __table_args__ = (
        CheckConstraint("(revoked_at IS NULL) = (revoked_by IS NULL)", name="revocation"),
    )


class PartnerTokenCampaign(Base):
    """A campaign a token may read."""

    __tablename__ = "partner_token_campaigns"

    token_id: Mapped[int] = mapped_column(
        ForeignKey("partner_tokens.id", ondelete="CASCADE"), primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True, index=True)
