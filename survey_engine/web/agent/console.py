"""What the console shows of an agent's call, read from the attempt, its contact and its
interview: which stage the call is at, and the case as the agent may see it (masked number
only). Nothing here writes; the views call the desks for that.

Stages, in order:

- ``preview``: a preview-mode case, not dialed yet: the agent reads it and presses call;
- ``ringing``: dialed, not answered yet (the telephony backend reports instants: a call it
  answers in a few seconds shows as ringing until then; one nobody answers rings out);
- ``connected``: the respondent is on the line, the interview not begun on this call;
- ``interview``: the interview is going on;
- ``wrap_up``: the questionnaire reached its outcome during this call: the agent reads the
  closing and ends the call;
- ``ended``: the attempt is over (ended by the agent, or by the system: maximum duration,
  all dialing stopped).
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from dialer.models import Attempt, Campaign, Contact, Interview


class Stage(enum.Enum):
    """Where a call stands for its agent (module docstring)."""

    PREVIEW = "preview"
    RINGING = "ringing"
    CONNECTED = "connected"
    INTERVIEW = "interview"
    WRAP_UP = "wrap_up"
    ENDED = "ended"


@dataclass(frozen=True)
class CallView:
    """An attempt as its agent sees it: never a full number."""

    attempt_id: int
    campaign_code: str
    campaign_name: str
    mode: str
    ordinal: int
    masked_number: str
    #: The respondent's interview language and time zone.
    language: str
    time_zone: str
    campaign_languages: tuple[str, ...]
    stage: Stage
    ending: str | None = None
    disposition: str | None = None
    interview_outcome: str | None = None


def open_call(session: Session, agent_id: int, now: dt.datetime) -> int | None:
    """The agent's call to show: the attempt not ended, or still ringing out."""
    return session.scalar(select(Attempt.id).where(
        Attempt.agent_id == agent_id,
        or_(Attempt.ended_at.is_(None), Attempt.ended_at > now))
        .order_by(Attempt.id.desc()).limit(1))


def call_view(session: Session, attempt_id: int, now: dt.datetime) -> CallView:
    """The call of ``attempt_id`` at ``now``."""
    attempt = session.get(Attempt, attempt_id)
    assert attempt is not None
    contact = session.get(Contact, attempt.contact_id)
    campaign = session.get(Campaign, attempt.campaign_id)
    assert contact is not None and campaign is not None
    interview = session.scalar(select(Interview).where(Interview.contact_id == contact.id))
    stage = _stage(attempt, interview, now)
    outcome = interview.outcome if interview is not None \
        and interview.ended_attempt_id == attempt.id else None
    return CallView(attempt.id, campaign.code, campaign.name, attempt.mode.value,
                    attempt.ordinal, contact.masked_number, contact.language,
                    contact.time_zone, tuple(campaign.languages), stage, attempt.ending,
                    attempt.disposition, outcome)


def _stage(attempt: Attempt, interview: Interview | None, now: dt.datetime) -> Stage:
    if attempt.ended_at is not None:
        return Stage.RINGING if attempt.ended_at > now and attempt.connected_at is None \
            else Stage.ENDED
    if attempt.dialed_at is None:
        return Stage.PREVIEW
    if attempt.connected_at is None or attempt.connected_at > now:
        return Stage.RINGING
    if interview is None or interview.last_attempt_id != attempt.id:
        return Stage.CONNECTED
    if interview.outcome is not None and interview.ended_attempt_id == attempt.id:
        return Stage.WRAP_UP
    return Stage.INTERVIEW
