"""Whole days of a campaign on a virtual clock, through the real dispatcher, call desk and
interview desk, with the ``sim`` telephony backend playing the network and the respondents.

Each agent is a stream of events on one timeline (a heap ordered by virtual time): while on
shift the agent asks the dispatcher for a contact, the call desk dials it by attempt id, and
an answered respondent (drawn by the sim backend) cooperates, refuses, breaks off, asks for an
appointment or turns out to speak another language; a cooperating respondent answers the
questionnaire by its logic (:mod:`dialer.simulation.answers`). Every step is written to the
database and traced exactly as live calls are, so what the simulation reports is what the
centre would have recorded. One difference: the simulation commits a batch of calls at a
time (:data:`CALLS_PER_TRANSACTION`, claims included, and always before the backlog is
sampled), where a live call commits every step as it happens. Each call still reads what the
calls before it wrote: they are in the same transaction, or committed.

Nothing sleeps: durations come from the sim backend's distributions and move the virtual clock.
"""

from __future__ import annotations

import datetime as dt
import heapq
import logging
import random
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from dialer.calls import CallDesk
from dialer.db import transaction
from dialer.dispatch import Claim, Dispatcher
from dialer.errors import DialerError
from dialer.interviews import InterviewDesk
from dialer.models import (
    Agent,
    Campaign,
    CampaignState,
    Contact,
    ContactState,
    DispatchGroup,
    LanguageLevel,
    Shift,
    Site,
)
from dialer.outcomes import CallEnding
from dialer.simulation.answers import simulated_answer
from dialer.simulation.tally import Tally
from dialer.telephony.sim import SimBackend
from dialer.telephony.sim_respondent import RespondentBehaviour, SimRespondent

logger = logging.getLogger(__name__)

#: How long an agent with nothing to call waits before asking again: the first time, and at
#: most (the wait doubles while nothing comes, so idle nights cost little to simulate).
IDLE_STEP = dt.timedelta(minutes=1)
MAX_IDLE_STEP = dt.timedelta(minutes=8)
#: Reading the case before pressing call, in preview mode.
PREVIEW_TIME = dt.timedelta(seconds=10)
#: Noting the outcome after a call.
WRAP_UP = dt.timedelta(seconds=15)
#: Time for the introduction before the first question, or before a refusal.
INTRODUCTION = dt.timedelta(seconds=25)
#: How often the backlog is sampled and progress reported, in simulated time.
SAMPLE_EVERY = dt.timedelta(minutes=15)
#: How old (by wall clock) the dispatcher's and the call desk's snapshots of windows, shifts
#: and retry rules may be: nothing else changes them while the simulation runs.
ROSTER_TTL = dt.timedelta(seconds=30)
#: Agent turns (a call, or a look for one) simulated in one transaction. Committing costs
#: about as much as a tenth of a call (the trace's head read and moved, the database's
#: commit, a new session and its campaign row), so the batch spreads it.
CALLS_PER_TRANSACTION = 50
#: What the questionnaire's own ending means for the call.
_OUTCOME_ENDINGS = {"complete": CallEnding.COMPLETE, "refusal": CallEnding.REFUSAL,
                    "screened_out": CallEnding.SCREENED_OUT,
                    "quota_full": CallEnding.QUOTA_FULL}


@dataclass
class AgentClock:
    """One simulated agent: shift intervals (UTC) over the simulated period."""

    agent_id: int
    code: str
    languages: frozenset[str]
    intervals: list[tuple[dt.datetime, dt.datetime]]
    busy: dt.timedelta = dt.timedelta(0)
    idle_step: dt.timedelta = IDLE_STEP

    def next_on_shift(self, moment: dt.datetime) -> dt.datetime | None:
        """``moment`` if on shift then, else the start of the next shift (None: no more)."""
        for start, end in self.intervals:
            if moment < end:
                return max(moment, start)
        return None

    def shift_end(self, moment: dt.datetime) -> dt.datetime:
        for start, end in self.intervals:
            if start <= moment < end:
                return end
        return moment


@dataclass
class Simulation:
    """A simulated period for the agents of one database (see module docstring)."""

    engine: Engine
    backend: SimBackend
    start: dt.datetime
    days: float
    agent_ids: Sequence[int] | None = None
    progress: Callable[[dt.datetime], None] | None = None
    tally: Tally = field(default_factory=Tally)

    def __post_init__(self) -> None:
        if self.start.tzinfo is None:
            raise DialerError("naive_time", "the simulation's start needs a time zone")
        if not 0 < self.days <= 31:
            raise DialerError("bad_days", f"simulate between a few hours and 31 days, not "
                                          f"{self.days}")
        self.end = self.start + dt.timedelta(days=self.days)
        self.dispatcher = Dispatcher(self.engine, roster_ttl=ROSTER_TTL,
                                     rng=random.Random(f"dispatch:{self.backend.seed}"))
        self.desk = CallDesk(self.engine, self.backend, roster_ttl=ROSTER_TTL)
        self.interviews = InterviewDesk(self.engine)

    def run(self) -> Tally:
        """Run the period; the tally of what happened."""
        agents = self._agents()
        timeline: list[tuple[dt.datetime, int]] = []
        for agent in agents.values():
            first = agent.next_on_shift(self.start)
            if first is not None and first < self.end:
                heapq.heappush(timeline, (first, agent.agent_id))
        reported = self.start
        self.tally.sample_backlog(self.dispatcher.backlog(self.start))
        with _Batches(self.desk.engine) as batches:
            while timeline:
                moment, agent_id = heapq.heappop(timeline)
                if moment >= self.end:
                    break
                if moment - reported >= SAMPLE_EVERY:
                    reported = moment
                    batches.commit()  # the backlog is read by another connection
                    self.tally.sample_backlog(self.dispatcher.backlog(moment))
                    if self.progress is not None:
                        self.progress(moment)
                agent = agents[agent_id]
                free = self._turn(agent, moment, batches.session())
                following = agent.next_on_shift(free)
                if following is not None and following > free:
                    agent.idle_step = IDLE_STEP  # a new shift begins
                if following is not None and following < self.end:
                    heapq.heappush(timeline, (following, agent_id))
        self.tally.waiting = self._waiting()
        for agent in agents.values():
            self.tally.add_agent(agent.code, agent.languages, agent.busy,
                                 _overlap(agent.intervals, self.start, self.end))
        self.backend.close()
        return self.tally

    # --- one agent's turn ---------------------------------------------------------------
    def _turn(self, agent: AgentClock, moment: dt.datetime, session: Session) -> dt.datetime:
        """Let the agent make one call (or wait), in ``session``; the instant they are free
        again."""
        try:
            claim = self.dispatcher.next_call(agent.agent_id, moment, session=session)
        except DialerError as error:
            if error.code != "off_shift":
                raise
            return moment + IDLE_STEP
        if claim is None:
            wait = agent.idle_step
            agent.idle_step = min(wait * 2, MAX_IDLE_STEP)
            return min(moment + wait, agent.shift_end(moment))
        agent.idle_step = IDLE_STEP
        return self._call(agent, claim, moment, session)

    def _call(self, agent: AgentClock, claim: Claim, moment: dt.datetime, session: Session
              ) -> dt.datetime:
        """One call from claim to disposition, in the claim's transaction (``session``)."""
        case = self.desk.open_attempt(claim, moment, session=session)
        dial_at = moment + (PREVIEW_TIME if case.mode == "preview" else dt.timedelta(0))
        result = self.desk.dial(case.attempt_id, dial_at, session=session)
        self.tally.attempt(case.language)
        if result.refused is not None:
            self.tally.refused(case.language, result.refused)
            return dial_at + WRAP_UP
        if not result.answered:
            assert result.decision is not None
            self.tally.decided(case.language, result.decision.code, result.decision.final)
            freed = (result.ended_at or dial_at) + WRAP_UP
            agent.busy += freed - moment
            return freed
        assert result.answered_at is not None
        respondent = self.backend.respondent(case.attempt_id)
        ended, ending, extra = self._conversation(case.attempt_id, case.language,
                                                  result.answered_at, respondent, session)
        decision = self.desk.end(case.attempt_id, ending, ended,
                                 by="respondent" if ending is CallEnding.BREAK_OFF else "agent",
                                 session=session, **extra)
        self.tally.decided(case.language, decision.code, decision.final)
        if ending is CallEnding.COMPLETE:
            self.tally.complete(case.language, ended - result.answered_at)
        freed = ended + WRAP_UP
        agent.busy += freed - moment
        return freed

    def _conversation(self, attempt_id: int, language: str, answered: dt.datetime,
                      respondent: SimRespondent, session: Session
                      ) -> tuple[dt.datetime, CallEnding, dict[str, Any]]:
        """Play the respondent; when the call ends, how, and the ending's details."""
        behaviour = respondent.behaviour
        moment = answered + INTRODUCTION
        if behaviour is RespondentBehaviour.REFUSES:
            return moment, CallEnding.REFUSAL, {}
        if behaviour is RespondentBehaviour.LANGUAGE_PROBLEM \
                and respondent.spoken_language not in (None, language):
            return moment, CallEnding.LANGUAGE_PROBLEM, {
                "spoken_language": respondent.spoken_language}
        if behaviour is RespondentBehaviour.ASKS_APPOINTMENT:
            slot = self.desk.nearest_appointment(attempt_id, moment + respondent.appointment_in,
                                                 session=session)
            if slot is None:  # no calling hours in the next two weeks: call again later
                return moment, CallEnding.RESPONDENT_UNAVAILABLE, {}
            return moment, CallEnding.APPOINTMENT, {"appointment_at": slot, "promise": True}
        turn = self.interviews.begin(attempt_id, moment, session=session)
        if turn.prompt is None and turn.outcome == "refusal":
            # A converter's call: the respondent who refused last time is asked again.
            turn = self.interviews.back(attempt_id, moment, session=session)
        questionnaire = self.interviews.questionnaire_of(turn.interview_id)
        limit = answered + self.desk.max_call(attempt_id, session)
        given = 0
        while turn.prompt is not None:
            if behaviour is RespondentBehaviour.BREAKS_OFF and given >= respondent.break_off_after:
                return moment, CallEnding.BREAK_OFF, {}
            moment += dt.timedelta(seconds=respondent.seconds_per_question())
            if moment >= limit:
                return limit, CallEnding.BREAK_OFF, {}
            value = simulated_answer(questionnaire, turn.prompt, respondent.rng,
                                     today=moment.date())
            turn = self.interviews.answer(attempt_id, value, moment, session=session)
            given += 1
        assert turn.outcome is not None
        return moment + dt.timedelta(seconds=10), _OUTCOME_ENDINGS[turn.outcome], {}

    def _waiting(self) -> dict[str, int]:
        """Contacts still waiting at the end, by interview language."""
        with transaction(self.engine) as session:
            rows = session.execute(
                select(DispatchGroup.language, func.count(Contact.id))
                .join(Contact, Contact.group_id == DispatchGroup.id)
                .where(Contact.state == ContactState.WAITING)
                .group_by(DispatchGroup.language))
            return {language: count for language, count in rows}

    # --- setting up ---------------------------------------------------------------------
    def _agents(self) -> dict[int, AgentClock]:
        """The simulated agents with their shifts, and the languages they interview in (at
        the lowest minimum level of the running campaigns)."""
        with transaction(self.engine) as session:
            levels = [campaign.minimum_language_level for campaign in session.scalars(
                select(Campaign).where(Campaign.state == CampaignState.RUNNING))]
            level = min(levels, key=lambda each: each.rank, default=LanguageLevel.FLUENT)
            query = select(Agent).where(Agent.active).order_by(Agent.id)
            if self.agent_ids is not None:
                query = query.where(Agent.id.in_(self.agent_ids))
            agents = {}
            for agent in session.scalars(query):
                site = session.get(Site, agent.site_id)
                assert site is not None
                shifts = list(session.scalars(select(Shift).where(Shift.agent_id == agent.id)))
                agents[agent.id] = AgentClock(
                    agent.id, agent.code,
                    frozenset(spoken.language for spoken in agent.languages
                              if spoken.level.rank >= level.rank),
                    shift_intervals(shifts, site.time_zone, self.start, self.end))
        if not agents:
            raise DialerError("no_agents", "there are no active agents to simulate")
        return agents


class _Batches:
    """The simulation's transactions: :meth:`session` gives the open one, which commits after
    :data:`CALLS_PER_TRANSACTION` turns or at :meth:`commit`; leaving the ``with`` block commits
    the last one, or rolls it back on an error."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._open = ExitStack()
        self._current: Session | None = None
        self._turns = 0

    def session(self) -> Session:
        if self._current is not None and self._turns >= CALLS_PER_TRANSACTION:
            self.commit()
        if self._current is None:
            self._current = self._open.enter_context(transaction(self.engine))
            self._turns = 0
        self._turns += 1
        return self._current

    def commit(self) -> None:
        self._current = None
        self._open.close()

    def __enter__(self) -> _Batches:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._current = None
        self._open.__exit__(kind, error, traceback)


def shift_intervals(shifts: Sequence[Shift], time_zone: str, start: dt.datetime,
                    end: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
    """The UTC intervals an agent works between ``start`` and ``end``, merged and sorted."""
    zone = ZoneInfo(time_zone)
    first = start.astimezone(zone).date() - dt.timedelta(days=1)
    last = end.astimezone(zone).date()
    intervals = []
    day = first
    while day <= last:
        for shift in shifts:
            if shift.weekday != day.weekday():
                continue
            begins = dt.datetime.combine(day, shift.start, zone)
            end_day = day if shift.start < shift.end else day + dt.timedelta(days=1)
            ends = dt.datetime.combine(end_day, shift.end, zone)
            intervals.append((begins.astimezone(dt.UTC), ends.astimezone(dt.UTC)))
        day += dt.timedelta(days=1)
    merged: list[tuple[dt.datetime, dt.datetime]] = []
    for begins, ends in sorted(intervals):
        if ends <= start or begins >= end:
            continue
        if merged and begins <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], ends))
        else:
            merged.append((begins, ends))
    return merged


def _overlap(intervals: Sequence[tuple[dt.datetime, dt.datetime]], start: dt.datetime,
             end: dt.datetime) -> dt.timedelta:
    total = dt.timedelta(0)
    for begins, ends in intervals:
        total += max(dt.timedelta(0), min(ends, end) - max(begins, start))
    return total
