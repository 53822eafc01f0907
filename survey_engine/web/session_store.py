"""Server-side sessions: the cookie carries a random token, the database its SHA-256 and
everything else, so a session can be ended from the server (logout, time-outs, the end of an
agent's shift, a request from another address) and a stolen old cookie is worth nothing.

A new token is made at every sign-in (the session is regenerated), and the session the
browser held before is ended. Checking a session only reads (:func:`check_session`); what
must change (touching it, ending it) is applied in a short writing transaction of its own
(:func:`apply`), so most requests write nothing. Functions flush, never commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dialer.models import Role, WebSession

#: How stale ``last_seen_at`` may get before a request writes it again: the idle time-out is
#: kept to this precision.
TOUCH_EVERY = dt.timedelta(seconds=30)


@dataclass(frozen=True)
class Started:
    """A new session: the token for the cookie (never stored) and its row's id."""

    token: str
    session_id: int


@dataclass(frozen=True)
class Verdict:
    """What a request's token comes to: its live row, or why it ends now."""

    row: WebSession | None
    end_reason: str | None = None
    touch: bool = False


def digest(token: str) -> str:
    """What is stored of a token."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def start_session(session: Session, role: Role, *, user_id: int | None = None,
                  agent_id: int | None = None, address: str, now: dt.datetime,
                  expires_at: dt.datetime, replacing: str | None = None) -> Started:
    """Open a session for a user or an agent, ending the one the browser held before."""
    if replacing:
        end_session(session, replacing, "replaced", now)
    token = secrets.token_urlsafe(32)
    row = WebSession(token_sha256=digest(token), role=role, user_id=user_id,
                     agent_id=agent_id, address=address[:64], created_at=now,
                     last_seen_at=now, expires_at=expires_at)
    session.add(row)
    session.flush()
    return Started(token, row.id)


def check_session(session: Session, token: str, address: str, now: dt.datetime,
                  idle: dt.timedelta, absolute: dt.timedelta) -> Verdict:
    """Whether ``token`` names a live session for a request from ``address`` now. An agent's
    session that expires before the absolute time-out ends with the shift."""
    row = session.scalars(select(WebSession).where(
        WebSession.token_sha256 == digest(token))).one_or_none()
    if row is None or row.ended_at is not None:
        return Verdict(None)
    if now >= row.expires_at:
        reason = "shift_end" if row.agent_id is not None \
            and row.expires_at < row.created_at + absolute else "expired"
        return Verdict(row, reason)
    if now - row.last_seen_at >= idle:
        return Verdict(row, "idle")
    if address != row.address:
        return Verdict(row, "address_changed")
    return Verdict(row, touch=now - row.last_seen_at >= TOUCH_EVERY)


def apply(session: Session, token: str, verdict: Verdict, now: dt.datetime) -> None:
    """Carry out a verdict: touch the session, or end it (when it was still live)."""
    if verdict.row is None:
        return
    row = session.scalars(select(WebSession).where(
        WebSession.token_sha256 == digest(token), WebSession.ended_at.is_(None))
        .with_for_update()).one_or_none()
    if row is None:
        return
    if verdict.end_reason is not None:
        _end(row, verdict.end_reason, now)
    elif verdict.touch:
        row.last_seen_at = now
    session.flush()


def end_session(session: Session, token: str, reason: str, now: dt.datetime) -> None:
    """End the session of ``token`` (if it is live)."""
    row = session.scalars(select(WebSession).where(
        WebSession.token_sha256 == digest(token))).one_or_none()
    if row is not None and row.ended_at is None:
        _end(row, reason, now)
        session.flush()


def end_sessions_of_agent(session: Session, agent_id: int, reason: str, now: dt.datetime
                          ) -> int:
    """End every live session of an agent (a new sign-in elsewhere); how many."""
    result = session.execute(update(WebSession).where(
        WebSession.agent_id == agent_id, WebSession.ended_at.is_(None))
        .values(ended_at=now, end_reason=reason).returning(WebSession.id))
    return len(result.all())


def _end(row: WebSession, reason: str, now: dt.datetime) -> None:
    """Close a row at the moment it stopped being used (agents' hours are read from it):
    its expiry, its last request when idle, else now."""
    if reason in ("expired", "shift_end"):
        row.ended_at = min(now, row.expires_at)
    elif reason == "idle":
        row.ended_at = row.last_seen_at
    else:
        row.ended_at = now
    row.end_reason = reason
