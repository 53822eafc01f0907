"""An agent's own record of work: hours signed in, calls, completes and earnings at the site's
hourly pay rate, over a period (today, this week, in the site's time).

Hours are the time signed in at the console, from the sign-in records (sessions, including the
one going on); completes are the attempts the agent ended with 1.1. Nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from dialer.models import Agent, Attempt, Site, WebSession
from dialer.windows import local_time

_HOUR = Decimal(3600)
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class WorkSummary:
    """One agent's work over a period."""

    since: dt.datetime
    seconds: int
    calls: int
    completes: int
    earnings: Decimal
    currency: str

    @property
    def hours(self) -> Decimal:
        """Hours worked, to the hundredth."""
        return (Decimal(self.seconds) / _HOUR).quantize(_CENT, ROUND_HALF_UP)


def period_starts(now: dt.datetime, site_time_zone: str) -> dict[str, dt.datetime]:
    """The starts of today and of this week (Monday), at midnight in the site's time."""
    local = local_time(now, site_time_zone)
    today = local.replace(hour=0, minute=0, second=0, microsecond=0)
    monday = today - dt.timedelta(days=today.weekday())
    return {"today": today.astimezone(dt.UTC), "week": monday.astimezone(dt.UTC)}


def work_summary(session: Session, agent_id: int, since: dt.datetime, now: dt.datetime
                 ) -> WorkSummary:
    """The agent's hours, calls, completes and earnings from ``since`` to ``now``."""
    agent = session.get(Agent, agent_id)
    assert agent is not None
    site = session.get(Site, agent.site_id)
    assert site is not None
    seconds = 0.0
    for start, ended in session.execute(
            select(WebSession.created_at, WebSession.ended_at)
            .where(WebSession.agent_id == agent_id, WebSession.created_at < now,
                   or_(WebSession.ended_at.is_(None), WebSession.ended_at > since))):
        begin, end = max(start, since), min(ended or now, now)
        seconds += max(0.0, (end - begin).total_seconds())
    calls, completes = session.execute(
        select(func.count(Attempt.id),
               func.count(Attempt.id).filter(Attempt.disposition == "1.1"))
        .where(Attempt.agent_id == agent_id, Attempt.claimed_at >= since,
               Attempt.claimed_at < now, Attempt.dialed_at.is_not(None))).one()
    whole = int(seconds)
    earnings = (Decimal(whole) / _HOUR * site.hourly_pay_rate).quantize(_CENT, ROUND_HALF_UP)
    return WorkSummary(since, whole, calls or 0, completes or 0, earnings, site.pay_currency)
