"""What supervisors read about calls: refused dials (the dialer would not place a call) and
calls in progress. Read from the call trace and the attempts; nothing here writes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from dialer.models import Agent, Attempt, Campaign, TraceEvent


@dataclass(frozen=True)
class RefusedDial:
    """A dial the sealed-dialing checks refused: when, for whom, and why (never the number)."""

    at: dt.datetime
    campaign_code: str
    attempt_id: int
    agent_code: str
    reason: str
    message: str


def refused_dials(session: Session, *, since: dt.datetime | None = None,
                  campaign_id: int | None = None, limit: int = 100) -> list[RefusedDial]:
    """The latest refused dials, newest first."""
    query = (select(TraceEvent.at, Campaign.code, Attempt.id, Agent.code, TraceEvent.data)
             .join(Campaign, Campaign.id == TraceEvent.campaign_id)
             .join(Attempt, Attempt.id == TraceEvent.attempt_id)
             .join(Agent, Agent.id == Attempt.agent_id)
             .where(TraceEvent.kind == "dial_refused")
             .order_by(TraceEvent.at.desc(), TraceEvent.id.desc()).limit(limit))
    if since is not None:
        query = query.where(TraceEvent.at >= since)
    if campaign_id is not None:
        query = query.where(TraceEvent.campaign_id == campaign_id)
    return [RefusedDial(at, code, attempt_id, agent, str(data.get("reason", "")),
                        str(data.get("message", "")))
            for at, code, attempt_id, agent, data in session.execute(query)]


@dataclass(frozen=True)
class LiveCall:
    """A call connected to an agent and not ended yet."""

    attempt_id: int
    campaign_code: str
    agent_code: str
    connected_at: dt.datetime


def live_calls(session: Session) -> list[LiveCall]:
    """Calls in progress, oldest first."""
    rows = session.execute(
        select(Attempt.id, Campaign.code, Agent.code, Attempt.connected_at)
        .join(Campaign, Campaign.id == Attempt.campaign_id)
        .join(Agent, Agent.id == Attempt.agent_id)
        .where(Attempt.connected_at.is_not(None), Attempt.ended_at.is_(None))
        .order_by(Attempt.connected_at))
    return [LiveCall(attempt_id, code, agent, connected)
            for attempt_id, code, agent, connected in rows if connected is not None]
