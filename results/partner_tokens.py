"""Partner API tokens: issue, list, revoke, and recognise a token a partner presents.

A token reads ``sep_KEY_SECRET``: ``sep_`` says what it is (so a leaked one is easy to spot
in a repository or a log), ``KEY`` (10 letters and digits) names it in lists, and ``SECRET``
is 32 random bytes (43 URL-safe characters). It is shown once, when issued; only the SHA-256
of the whole text is stored (:class:`dialer.models.PartnerToken`).

Why SHA-256 and not argon2, as for passwords: a slow hash protects a *guessable* secret
(a password) from someone who stole the table and tries candidates offline. A token's secret
is 256 random bits: no list of candidates is any shorter than trying 2**256 of them, fast
hash or slow. A fast hash also lets every request be checked in microseconds, where argon2
would cost tens of milliseconds of CPU per API call and make the API easy to overload.

Every function flushes and never commits (STYLE 4).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from dialer.campaigns import campaign_by_code
from dialer.errors import NotFound
from dialer.models import Campaign, PartnerToken
from results.errors import ResultsError

PREFIX = "sep_"
#: The whole text of a token: prefix, key, secret.
TOKEN = re.compile(r"sep_([a-z2-7]{10})_([A-Za-z0-9_-]{43})")
KEY_LENGTH = 10
#: How long a token lives unless told otherwise, and the longest it may.
DEFAULT_DAYS = 365
MAX_DAYS = 3 * 365
#: ``last_used_at`` is written when it is older than this: not on every request.
USE_RESOLUTION = dt.timedelta(minutes=1)
NAME_LENGTH = 80
ACTOR_LENGTH = 60


@dataclass(frozen=True)
class IssuedToken:
    """A token just issued: its row and its text, to be shown once and never again."""

    token: PartnerToken
    text: str


def token_digest(text: str) -> str:
    """The SHA-256 (hex) a token is stored and looked up by."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def issue_token(session: Session, name: str, campaign_codes: Sequence[str], created_by: str,
                now: dt.datetime, days: int = DEFAULT_DAYS) -> IssuedToken:
    """A new token named ``name`` for the campaigns ``campaign_codes``, valid ``days`` days.

    :raises ResultsError: ``token_name`` (empty or longer than 80 characters),
        ``token_campaigns`` (no campaign given), ``token_days`` (outside 1 to 1,095),
        ``token_actor`` (no issuer, or longer than 60 characters).
    :raises NotFound: ``campaign_not_found`` for a code that names no campaign.
    """
    name = name.strip()
    if not name or len(name) > NAME_LENGTH or not name.isprintable():
        raise ResultsError("token_name", f"a token's name is 1 to {NAME_LENGTH} printable "
                                         f"characters, not {name!r}")
    if not campaign_codes:
        raise ResultsError("token_campaigns", "a token reads at least one campaign: name it")
    if not 1 <= days <= MAX_DAYS:
        raise ResultsError("token_days", f"a token lives 1 to {MAX_DAYS} days, not {days}")
    if not created_by or len(created_by) > ACTOR_LENGTH:
        raise ResultsError("token_actor", f"who issues a token is named in 1 to "
                                          f"{ACTOR_LENGTH} characters")
    campaigns = {code: campaign_by_code(session, code) for code in campaign_codes}
    key = _new_key(session)
    text = f"{PREFIX}{key}_{secrets.token_urlsafe(32)}"
    token = PartnerToken(key=key, token_sha256=token_digest(text), name=name,
                         created_by=created_by, created_at=now,
                         expires_at=now + dt.timedelta(days=days),
                         campaigns=list(campaigns.values()))
    session.add(token)
    session.flush()
    return IssuedToken(token, text)


def _new_key(session: Session) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    while True:
        key = "".join(secrets.choice(alphabet) for _ in range(KEY_LENGTH))
        if session.scalar(select(PartnerToken.id).where(PartnerToken.key == key)) is None:
            return key


def list_tokens(session: Session) -> list[PartnerToken]:
    """Every token, the newest first (revoked and expired ones too)."""
    return list(session.scalars(select(PartnerToken)
                                .order_by(PartnerToken.created_at.desc(), PartnerToken.id)))


def revoke_token(session: Session, key: str, revoked_by: str, now: dt.datetime
                 ) -> PartnerToken:
    """Revoke the token named ``key``: from now on it is refused.

    :raises NotFound: ``token_not_found``.
    :raises ResultsError: ``token_revoked`` when it already was (nothing changes).
    """
    token = session.scalars(select(PartnerToken).where(PartnerToken.key == key)).one_or_none()
    if token is None:
        raise NotFound("token_not_found", f"no token with key {key!r}")
    if token.revoked_at is not None:
        raise ResultsError("token_revoked", f"token {key} was revoked already, at "
                                            f"{token.revoked_at:%Y-%m-%d %H:%M} UTC by "
                                            f"{token.revoked_by}")
    token.revoked_at, token.revoked_by = now, revoked_by[:ACTOR_LENGTH]
    session.flush()
    return token


def token_state(token: PartnerToken, now: dt.datetime) -> str:
    """``active``, ``revoked`` or ``expired``."""
    if token.revoked_at is not None:
        return "revoked"
    return "expired" if token.expires_at <= now else "active"


def recognise(session: Session, presented: str, now: dt.datetime) -> PartnerToken:
    """The active token whose text is ``presented``.

    :raises ResultsError: ``token_invalid`` (not a token, or no such token),
        ``token_revoked``, ``token_expired``.
    """
    if not TOKEN.fullmatch(presented):
        raise ResultsError("token_invalid", "this is not a partner token")
    token = session.scalars(select(PartnerToken).where(
        PartnerToken.token_sha256 == token_digest(presented))).one_or_none()
    if token is None:
        raise ResultsError("token_invalid", "this token is not known")
    state = token_state(token, now)
    if state != "active":
        raise ResultsError(f"token_{state}", f"this token was {state}")
    return token


def needs_touch(token: PartnerToken, now: dt.datetime) -> bool:
    """Whether ``last_used_at`` is to be written for a use at ``now``."""
    return token.last_used_at is None or now - token.last_used_at >= USE_RESOLUTION


def touch(session: Session, token_id: int, now: dt.datetime) -> None:
    """Record a use of the token at ``now``."""
    token = session.get(PartnerToken, token_id)
    if token is not None:
        token.last_used_at = now
        session.flush()


def campaign_of_token(session: Session, token_id: int, code: str) -> Campaign:
    """The campaign ``code`` if the token may read it.

    :raises NotFound: ``campaign_not_found``, the same for a campaign that does not exist and
        one the token does not cover, so codes cannot be probed.
    """
    token = session.get(PartnerToken, token_id)
    found = next((campaign for campaign in (token.campaigns if token else ())
                  if campaign.code == code), None)
    if found is None:
        raise NotFound("campaign_not_found", f"no campaign {code!r} for this token")
    return found
