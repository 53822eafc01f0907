"""How people are named in the call trace: agents by their pseudonymous code, never more."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dialer.errors import DialerError
from dialer.models import Agent


def actor_of(agent_code: str) -> str:
    """How an agent is named in the trace."""
    return f"agent:{agent_code}"


def agent_code(session: Session, agent_id: int, known: dict[int, str]) -> str:
    """An agent's pseudonymous code, remembered in ``known`` (one database's codes by id: a
    code never changes)."""
    code = known.get(agent_id)
    if code is None:
        code = session.scalar(select(Agent.code).where(Agent.id == agent_id))
        if code is None:
            raise DialerError("agent_unknown", f"no agent with id {agent_id}")
        known[agent_id] = code
    return code
