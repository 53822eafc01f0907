"""Dispatch: the next contact for an agent, waiting agents served idle-longest first, and the
backlog of languages nobody on shift speaks.

Each public method is one transaction (STYLE 4). The roster of campaigns, groups and agents is
cached for ``roster_ttl`` (a few seconds by default); what must be exact at the moment of the
claim (campaign still running, attempts left, do-not-call list, the agent's exclusions, nobody
else holding the contact) is checked by the claiming statement itself.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Engine, Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from dialer import claims
from dialer.db import execute_core, transaction, unit_of_work, writer
from dialer.dispatch_plan import AgentProfile, Roster, fresh_roster
from dialer.errors import DialerError
from dialer.models import Agent, Contact, ContactPhase, ContactState, utc_now
from dialer.outcomes import REFUSAL_CONVERSION_SKILL
from dialer.prepared import Prepared
from dialer.row_writes import forget_row

logger = logging.getLogger(__name__)

DEFAULT_LEASE = dt.timedelta(minutes=10)
DEFAULT_ROSTER_TTL = dt.timedelta(seconds=5)
_AGENTS = cast(Table, Agent.__table__)
#: An agent given a contact stops waiting (run when the claim found the agent waiting).
_STOP_WAITING = Prepared(
    update(_AGENTS).where(_AGENTS.c.id == bindparam("agent"), _AGENTS.c.ready_since.is_not(None))
    .values(ready_since=None))
#: An agent id missing from the roster makes it be read again, at most this often.
UNKNOWN_AGENT_RELOAD = dt.timedelta(seconds=1)


@dataclass(frozen=True)
class Claim:
    """A contact held for an agent until ``lease_until``. Carries no phone number: agents see
    only ``masked_number``; the dialer resolves the number from ``contact_id`` itself."""

    contact_id: int
    campaign_id: int
    campaign_code: str
    agent_id: int
    agent_code: str
    language: str
    masked_number: str
    phase: ContactPhase
    lease_until: dt.datetime


class Dispatcher:
    """Hands contacts to agents from one database; any number may run side by side."""

    def __init__(self, engine: Engine, *, lease: dt.timedelta = DEFAULT_LEASE,
                 roster_ttl: dt.timedelta = DEFAULT_ROSTER_TTL,
                 rng: random.Random | None = None) -> None:
        #: Claims read then write: on SQLite they take the write lock when they begin.
        self.engine = writer(engine)
        #: Reports only read, and leave the write lock to claims.
        self.reader = engine
        self.lease = lease
        self.roster_ttl = roster_ttl
        #: Orders groups of equal priority; seeded by simulations, to be reproducible.
        self.rng = rng
        self._roster: Roster | None = None

    def roster(self, session: Session, now: dt.datetime) -> Roster:
        """The cached roster, read again once older than ``roster_ttl`` (by wall clock)."""
        self._roster = fresh_roster(self._roster, session, self.roster_ttl)
        return self._roster

    def forget_roster(self) -> None:
        """Read campaigns, groups and agents again at the next call (after changing them)."""
        self._roster = None

    def next_call(self, agent_id: int, now: dt.datetime | None = None, *,
                  session: Session | None = None) -> Claim | None:
        """Claim the contact ``agent_id`` should call now, or None when there is none.

        ``now`` is for tests and simulations: a real claim is made at the present instant (its
        lease counts from ``now``); to see who would be given whom at another instant, use
        :meth:`preview`, which holds nothing. With a ``session``, the claim joins the caller's
        transaction (the simulator claims and calls in one; on SQLite it must have begun
        ``IMMEDIATE``, :func:`dialer.db.writer`).

        :raises DialerError: ``agent_unknown`` (no such active agent), ``off_shift``.
        """
        moment = now or utc_now()
        with unit_of_work(self.engine, session) as session:
            return self._next_call(session, agent_id, moment)

    def _next_call(self, session: Session, agent_id: int, now: dt.datetime) -> Claim | None:
        roster = self.roster(session, now)
        agent = roster.agents.get(agent_id)
        if agent is None and utc_now() - roster.taken_at >= UNKNOWN_AGENT_RELOAD:
            self.forget_roster()  # perhaps a new agent: read again, but not on every call
            roster = self.roster(session, now)
            agent = roster.agents.get(agent_id)
        if agent is None:
            raise DialerError("agent_unknown", f"no active agent with id {agent_id}")
        if not agent.on_shift(now):
            raise DialerError("off_shift", f"agent {agent.code} is not on shift now")
        groups = roster.open_groups(agent, now)
        row = claims.claim(session, agent.id, [[group.id for group in level] for level in groups],
                           now, self.lease, self.rng,
                           converts=REFUSAL_CONVERSION_SKILL in agent.skills)
        if row is None:
            return None
        if row.agent_was_waiting:
            execute_core(session, _STOP_WAITING, {"agent": agent.id})
            forget_row(session, Agent, agent.id)
        return self._claim(roster, agent, row, now)

    def _claim(self, roster: Roster, agent: AgentProfile, row: claims.ClaimedRow,
               now: dt.datetime) -> Claim:
        group = roster.group(row.group_id)
        return Claim(contact_id=row.contact_id, campaign_id=row.campaign_id,
                     campaign_code=roster.campaigns[row.campaign_id].code, agent_id=agent.id,
                     agent_code=agent.code, language=group.language,
                     masked_number=row.masked_number, phase=row.phase,
                     lease_until=now + self.lease)

    def release(self, claim: Claim, now: dt.datetime | None = None) -> bool:
        """Give a claim back unused; False when it had already been lost to its lease."""
        with transaction(self.engine) as session:
            return claims.release(session, claim.contact_id, claim.agent_id, claim.lease_until,
                                  now or utc_now())

    def renew(self, claim: Claim, now: dt.datetime | None = None) -> Claim | None:
        """The claim with its lease extended from now; None when it was already lost."""
        moment = now or utc_now()
        with transaction(self.engine) as session:
            end = claims.renew(session, claim.contact_id, claim.agent_id, claim.lease_until,
                               moment, self.lease)
        if end is None:
            return None
        return Claim(**{**claim.__dict__, "lease_until": end})

    def mark_ready(self, agent_id: int, now: dt.datetime | None = None) -> None:
        """Record that ``agent_id`` waits for a call from ``now`` on (idle time counts from it)."""
        with transaction(self.engine) as session:
            session.execute(update(Agent).where(Agent.id == agent_id, Agent.ready_since.is_(None))
                            .values(ready_since=now or utc_now()))

    def mark_away(self, agent_id: int) -> None:
        """Record that ``agent_id`` no longer waits for a call (a pause, the end of work)."""
        with transaction(self.engine) as session:
            session.execute(update(Agent).where(Agent.id == agent_id)
                            .values(ready_since=None))

    def serve_waiting(self, now: dt.datetime | None = None) -> list[Claim]:
        """Give each waiting agent on shift a contact, the one idle longest first.

        An agent who gets a contact stops waiting; one who gets nothing keeps their place. An
        agent marked ready from a later instant (the end of a call still ringing out) waits
        from then on. Nobody is served while all dialing is stopped (the claims find nothing).
        """
        moment = now or utc_now()
        with transaction(self.reader) as session:
            waiting = list(session.scalars(
                select(Agent.id).where(Agent.active, Agent.ready_since.is_not(None),
                                       Agent.ready_since <= moment)
                .order_by(Agent.ready_since, Agent.id)))
        served = []
        for agent_id in waiting:
            with transaction(self.engine) as session:
                agent = self.roster(session, moment).agents.get(agent_id)
                if agent is None or not agent.on_shift(moment):
                    continue
                claim = self._next_call(session, agent_id, moment)
            if claim is not None:
                served.append(claim)
        return served

    def preview(self, agent_ids: Sequence[int], at: dt.datetime, per_agent: int = 1
                ) -> dict[int, list[Claim]]:
        """Who would be given whom at ``at``: up to ``per_agent`` contacts for each agent in
        turn, claimed in one transaction that is then rolled back, so nothing is held and no
        other dispatcher is affected. Agents off shift at ``at`` get an empty list.

        :raises DialerError: ``agent_unknown``.
        """
        shown: dict[int, list[Claim]] = {agent_id: [] for agent_id in agent_ids}
        with Session(self.engine) as session, session.begin():
            roster = self.roster(session, at)
            for agent_id in agent_ids:
                agent = roster.agents.get(agent_id)
                if agent is not None and not agent.on_shift(at):
                    continue
                while len(shown[agent_id]) < per_agent:
                    claim = self._next_call(session, agent_id, at)
                    if claim is None:
                        break
                    shown[agent_id].append(claim)
            session.rollback()
        return shown

    def backlog(self, now: dt.datetime | None = None) -> dict[str, int]:
        """Contacts callable now in a language no agent on shift speaks (at the campaign's
        minimum level), counted per language. They stay waiting; this only reports them.

        Shifts and languages are the dispatcher's roster, as claims see them (as old as
        ``roster_ttl``): the simulator samples the backlog every quarter of an hour it
        simulates, and reading the roster anew cost it more than counting the contacts."""
        moment = now or utc_now()
        with transaction(self.reader) as session:
            roster = self.roster(session, moment)
            on_shift = roster.agents_on_shift(moment)
            orphaned = {}
            for group in roster.callable_groups(moment):
                level = roster.campaigns[group.campaign_id].minimum_level
                if not any(agent.speaks(group.language, level) for agent in on_shift):
                    orphaned[group.id] = group.language
            if not orphaned:
                return {}
            contact = Contact.__table__.c
            rows = session.execute(
                select(contact.group_id, func.count())
                .where(contact.state == ContactState.WAITING.value,
                       contact.group_id.in_(orphaned), contact.due_at <= moment)
                .group_by(contact.group_id))
            totals: Counter[str] = Counter()
            for group_id, waiting in rows:
                totals[orphaned[group_id]] += waiting
            return dict(sorted(totals.items()))
