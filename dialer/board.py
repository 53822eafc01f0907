"""What the supervisors' live board reads: each agent's state, the calls in progress, the
campaigns' progress with their AAPOR outcome counts, the backlog per language and the latest
refused dials. Nothing here writes.

The agents, calls and refused dials are a site's (every site's for an administrator) and are
read afresh for each board; the campaigns and the backlog are the centre's and are read at
most once per :attr:`Board.centre_ttl` per process, whatever the number of boards open (each
reads every contact of the centre). Never a full number: calls carry the masked number only.
"""

from __future__ import annotations

import datetime as dt
import enum
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Engine, and_, func, or_, select
from sqlalchemy.orm import Session

from dialer.db import transaction
from dialer.dialing_switch import SwitchState, dialing_state
from dialer.dispatch import Dispatcher
from dialer.models import (
    Agent,
    Attempt,
    Campaign,
    CampaignState,
    Client,
    Contact,
    ContactState,
    DispatchGroup,
    Shift,
    Site,
    WebSession,
    utc_now,
)
from dialer.windows import WeeklyShift, on_shift

#: How long the centre's figures (campaigns, backlog) are reused by the boards of a process.
CENTRE_TTL = dt.timedelta(seconds=0.5)
#: How many refused dials the board lists.
REFUSED_SHOWN = 20


class AgentState(enum.Enum):
    """What an agent is doing, from the most to the least engaged."""

    CONNECTED = "connected"      #: talking with a respondent
    RINGING = "ringing"          #: a call dialed, not answered yet
    PREVIEW = "preview"          #: reading a preview case before calling
    WAITING = "waiting"          #: ready, waiting for a call
    PAUSED = "paused"            #: signed in, not waiting
    SIGNED_OUT = "signed_out"    #: on shift, not signed in
    OFF_SHIFT = "off_shift"
    INACTIVE = "inactive"        #: the account is switched off


@dataclass(frozen=True)
class AgentOnBoard:
    """An agent's line on the board; ``since`` is when the state began, where known."""

    id: int
    code: str
    site_code: str
    state: AgentState
    since: dt.datetime | None = None
    campaign_code: str | None = None


@dataclass(frozen=True)
class CallOnBoard:
    """A call not ended yet: its stage, since when, for whom (the masked number only)."""

    attempt_id: int
    agent_code: str
    campaign_code: str
    language: str
    masked_number: str
    stage: AgentState
    since: dt.datetime


@dataclass(frozen=True)
class CampaignProgress:
    """A campaign's contacts per state, and its settled contacts per AAPOR code."""

    id: int
    code: str
    name: str
    client_code: str
    state: CampaignState
    contacts: dict[ContactState, int]
    outcomes: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.contacts.values())

    @property
    def settled_percent(self) -> int:
        """Share of the contacts no longer waiting, in percent (0 without contacts)."""
        waiting = self.contacts.get(ContactState.WAITING, 0)
        return round(100 * (self.total - waiting) / self.total) if self.total else 0


@dataclass(frozen=True)
class LanguageBacklog:
    """Waiting contacts of running campaigns in one language: all, those due now, and those
    callable now that no agent on shift speaks (they wait for a speaker)."""

    language: str
    waiting: int
    due: int
    unserved: int


@dataclass(frozen=True)
class RefusedOnBoard:
    """A dial the dialer refused (never the number): when, whose, why."""

    attempt_id: int
    at: dt.datetime
    agent_code: str
    campaign_code: str
    reason: str


@dataclass(frozen=True)
class Snapshot:
    """The whole board at one instant."""

    at: dt.datetime
    switch: SwitchState
    agents: list[AgentOnBoard]
    calls: list[CallOnBoard]
    campaigns: list[CampaignProgress]
    backlog: list[LanguageBacklog]
    refused: list[RefusedOnBoard]


@dataclass
class _Cached:
    at: float = 0.0
    campaigns: list[CampaignProgress] = field(default_factory=list)
    backlog: list[LanguageBacklog] = field(default_factory=list)


class Board:
    """Reads boards from one database; shared by the threads of a web process."""

    def __init__(self, engine: Engine, dispatcher: Dispatcher, *,
                 centre_ttl: dt.timedelta = CENTRE_TTL) -> None:
        self.engine = engine
        self.dispatcher = dispatcher
        self.centre_ttl = centre_ttl
        self._lock = threading.Lock()
        self._cached: _Cached | None = None

    def snapshot(self, site_id: int | None, idle: dt.timedelta,
                 now: dt.datetime | None = None) -> Snapshot:
        """The board of one site (every site's with None) at ``now``.

        :param idle: how long a session lasts without a request (an agent whose last
            request is older is shown signed out).
        """
        moment = now or utc_now()
        with transaction(self.engine) as session:
            switch = dialing_state(session)
            calls = calls_in_progress(session, site_id, moment)
            agents = agent_states(session, site_id, moment, idle, calls)
            refused = refused_dials(session, site_id)
        campaigns, backlog = self._centre(moment)
        return Snapshot(moment, switch, agents, calls, campaigns, backlog, refused)

    def _centre(self, moment: dt.datetime) -> tuple[list[CampaignProgress],
                                                    list[LanguageBacklog]]:
        with self._lock:
            cached = self._cached
            if cached is None or time.monotonic() - cached.at > \
                    self.centre_ttl.total_seconds():
                with transaction(self.engine) as session:
                    campaigns = campaign_progress(session)
                    waiting = waiting_by_language(session, moment)
                unserved = self.dispatcher.backlog(moment)
                backlog = [LanguageBacklog(language, total, due, unserved.get(language, 0))
                           for language, (total, due) in waiting.items()]
                cached = self._cached = _Cached(time.monotonic(), campaigns, backlog)
            return cached.campaigns, cached.backlog


def _open(now: dt.datetime) -> ColumnElement[bool]:
    """Attempts not over at ``now`` (a backend may report an end still to come)."""
    return or_(Attempt.ended_at.is_(None), Attempt.ended_at > now)


def _stage(attempt: Attempt, now: dt.datetime) -> AgentState:
    if attempt.connected_at is not None and attempt.connected_at <= now:
        return AgentState.CONNECTED
    if attempt.dialed_at is not None:
        return AgentState.RINGING
    return AgentState.PREVIEW


def calls_in_progress(session: Session, site_id: int | None, now: dt.datetime
                      ) -> list[CallOnBoard]:
    """The calls of the site's agents not over at ``now``, oldest first."""
    latest = select(func.max(Attempt.id)).group_by(Attempt.agent_id)
    if site_id is not None:
        latest = latest.join(Agent, Agent.id == Attempt.agent_id) \
            .where(Agent.site_id == site_id)
    rows = session.execute(
        select(Attempt, Agent.code, Campaign.code, DispatchGroup.language,
               Contact.masked_number)
        .join(Agent, Agent.id == Attempt.agent_id)
        .join(Campaign, Campaign.id == Attempt.campaign_id)
        .join(Contact, Contact.id == Attempt.contact_id)
        .join(DispatchGroup, DispatchGroup.id == Contact.group_id)
        .where(Attempt.id.in_(latest), _open(now))  # an agent's open call is their latest
        .order_by(Attempt.claimed_at))
    calls = []
    for attempt, agent, campaign, language, masked in rows:
        stage = _stage(attempt, now)
        since = {AgentState.CONNECTED: attempt.connected_at,
                 AgentState.RINGING: attempt.dialed_at}.get(stage) or attempt.claimed_at
        calls.append(CallOnBoard(attempt.id, agent, campaign, language, masked, stage, since))
    return calls


def agent_states(session: Session, site_id: int | None, now: dt.datetime,
                 idle: dt.timedelta, calls: Sequence[CallOnBoard]) -> list[AgentOnBoard]:
    """Every agent of the site with what they are doing at ``now``, by site and code."""
    query = select(Agent, Site.code, Site.time_zone).join(Site, Site.id == Agent.site_id) \
        .order_by(Site.code, Agent.code)
    if site_id is not None:
        query = query.where(Agent.site_id == site_id)
    agents = list(session.execute(query))
    ids = [agent.id for agent, _code, _zone in agents]
    shifts: dict[int, list[WeeklyShift]] = {}
    for shift in session.scalars(select(Shift).where(Shift.agent_id.in_(ids))):
        shifts.setdefault(shift.agent_id, []).append(
            WeeklyShift(shift.weekday, shift.start, shift.end))
    signed_in = {agent_id: since for agent_id, since in session.execute(
        select(WebSession.agent_id, func.min(WebSession.created_at))
        .where(WebSession.agent_id.in_(ids), WebSession.ended_at.is_(None),
               and_(WebSession.expires_at > now, WebSession.last_seen_at > now - idle))
        .group_by(WebSession.agent_id))}
    on_call = {call.agent_code: call for call in calls}
    board = []
    for agent, site_code, zone in agents:
        call = on_call.get(agent.code)
        if not agent.active:
            line = AgentOnBoard(agent.id, agent.code, site_code, AgentState.INACTIVE)
        elif call is not None:
            line = AgentOnBoard(agent.id, agent.code, site_code, call.stage, call.since,
                                call.campaign_code)
        elif agent.ready_since is not None:
            line = AgentOnBoard(agent.id, agent.code, site_code, AgentState.WAITING,
                                agent.ready_since)
        elif agent.id in signed_in:
            line = AgentOnBoard(agent.id, agent.code, site_code, AgentState.PAUSED,
                                signed_in[agent.id])
        elif on_shift(shifts.get(agent.id, []), zone, now):
            line = AgentOnBoard(agent.id, agent.code, site_code, AgentState.SIGNED_OUT)
        else:
            line = AgentOnBoard(agent.id, agent.code, site_code, AgentState.OFF_SHIFT)
        board.append(line)
    return board


def campaign_progress(session: Session) -> list[CampaignProgress]:
    """Every campaign not finished, highest priority first: its contacts counted per state
    and, for those settled, per final AAPOR code, in one query over the contacts."""
    campaigns = session.execute(
        select(Campaign.id, Campaign.code, Campaign.name, Campaign.client_id, Campaign.state)
        .where(Campaign.state != CampaignState.FINISHED)
        .order_by(Campaign.priority.desc(), Campaign.code)).all()
    clients = {ident: code for ident, code in session.execute(select(Client.id, Client.code))}
    counts: dict[int, dict[ContactState, int]] = {}
    outcomes: dict[int, dict[str, int]] = {}
    for campaign_id, state, code, count in session.execute(
            select(Contact.campaign_id, Contact.state, Contact.disposition, func.count())
            .where(Contact.campaign_id.in_([row.id for row in campaigns]))
            .group_by(Contact.campaign_id, Contact.state, Contact.disposition)):
        states = counts.setdefault(campaign_id, dict.fromkeys(ContactState, 0))
        states[state] += count
        if state is not ContactState.WAITING and code:
            settled = outcomes.setdefault(campaign_id, {})
            settled[code] = settled.get(code, 0) + count
    return [CampaignProgress(row.id, row.code, row.name, clients.get(row.client_id, ""),
                             row.state, counts.get(row.id, dict.fromkeys(ContactState, 0)),
                             dict(sorted(outcomes.get(row.id, {}).items(),
                                         key=lambda item: _code_order(item[0]))))
            for row in campaigns]


def _code_order(code: str) -> tuple[int, ...]:
    return tuple(int(part) for part in code.split(".") if part.isdigit())


def waiting_by_language(session: Session, now: dt.datetime) -> dict[str, tuple[int, int]]:
    """Waiting contacts of running campaigns per language: (all, due at ``now``)."""
    rows = session.execute(
        select(DispatchGroup.language, func.count(),
               func.count().filter(Contact.due_at <= now))
        .select_from(Contact)
        .join(DispatchGroup, DispatchGroup.id == Contact.group_id)
        .join(Campaign, Campaign.id == Contact.campaign_id)
        .where(Contact.state == ContactState.WAITING, Campaign.state == CampaignState.RUNNING)
        .group_by(DispatchGroup.language).order_by(DispatchGroup.language))
    return {language: (total, due) for language, total, due in rows}


def refused_dials(session: Session, site_id: int | None, limit: int = REFUSED_SHOWN
                  ) -> list[RefusedOnBoard]:
    """The latest dials the dialer refused for the site's agents, newest first."""
    query = (select(Attempt.id, Attempt.ended_at, Agent.code, Campaign.code, Attempt.refusal)
             .join(Agent, Agent.id == Attempt.agent_id)
             .join(Campaign, Campaign.id == Attempt.campaign_id)
             .where(Attempt.refusal.is_not(None))
             .order_by(Attempt.id.desc()).limit(limit))
    if site_id is not None:
        query = query.where(Agent.site_id == site_id)
    return [RefusedOnBoard(attempt_id, at, agent, campaign, reason or "")
            for attempt_id, at, agent, campaign, reason in session.execute(query)
            if at is not None]
