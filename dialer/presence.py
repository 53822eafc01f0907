"""Agents who are really at their console: an agent waits for a call only while a web session
of theirs is alive and has been seen lately.

Pressing "ready" marks an agent as waiting, and signing out ends the wait. But a console can
also go without signing out: a browser closed, a workstation switched off, a session timed out
with nobody there to see it. The session then ends only on paper (at the next request, which
never comes), and the dialer would go on placing calls for nobody. A waiting console asks the
server every few seconds, and each request keeps its session's ``last_seen_at`` within
:data:`survey_engine.web.session_store.TOUCH_EVERY` (30 s) of the truth; so an agent whose
sessions have all been silent for longer than :data:`PRESENCE` is not there, and the worker
marks them away before it serves anyone (:meth:`dialer.worker.DialingService.run_once`).
When they come back, the console shows them paused, and they press ready again.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from dialer.models import Agent, WebSession

#: How long a waiting agent's sessions may stay silent before the agent counts as gone: the
#: console's refresh (2 s) plus the 30 s to which ``last_seen_at`` is kept, with a margin.
PRESENCE = dt.timedelta(seconds=90)


def release_absent_agents(session: Session, now: dt.datetime,
                          presence: dt.timedelta = PRESENCE) -> list[int]:
    """Mark away every waiting agent with no live web session seen since ``now - presence``;
    return their ids (agents in a call are not waiting, and are left alone)."""
    live_console = exists().where(
        WebSession.agent_id == Agent.id, WebSession.ended_at.is_(None),
        WebSession.expires_at > now, WebSession.last_seen_at > now - presence)
    absent = list(session.scalars(
        select(Agent.id).where(Agent.ready_since.is_not(None), ~live_console)))
    if absent:
        session.execute(update(Agent).where(Agent.id.in_(absent), Agent.ready_since.is_not(None))
                        .values(ready_since=None))
    return absent
