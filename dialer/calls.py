"""Calls from claim to disposition, every step traced.

:class:`CallDesk` turns a dispatcher's claim into an attempt, dials it by id through the
configured telephony backend (the number is resolved and checked again by
:mod:`dialer.sealed` at that moment), connects an answered call to the agent, and ends the
attempt with its AAPOR disposition, deciding when the contact is called again
(:mod:`dialer.scheduling`).

An answered call always has its agent: an attempt belongs to one agent from its claim, an agent
has at most one attempt open, and each attempt places at most one call (no predictive
over-dialing). What agents are shown (:class:`CallCase`) carries the masked number only.

Each public method is one transaction, or joins the caller's when given a ``session`` (the
simulator runs a whole call in one); a refused dial is recorded in its own transaction when
the caller gave none, so the refusal stays in the trace whatever happens next. Trace events
are appended when the transaction commits (:func:`dialer.trace.defer`).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, bindparam, func, select
from sqlalchemy.orm import Session

from dialer import call_teardown, trace
from dialer.actors import actor_of, agent_code
from dialer.call_endings import (
    CONVERSATION_ENDINGS,
    NETWORK_ENDINGS,
    answered_share,
    interview_for_ending,
)
from dialer.contacts import add_do_not_call
from dialer.db import execute_core, locks_rows, unit_of_work, writer
from dialer.dispatch import DEFAULT_ROSTER_TTL, Claim
from dialer.dispatch_plan import CampaignRules, Roster, campaign_rules, fresh_roster
from dialer.errors import DialerError
from dialer.models import (
    Agent,
    Attempt,
    Campaign,
    Contact,
    ContactPhase,
    ContactState,
    Interview,
    utc_now,
)
from dialer.outcomes import CallEnding, attempt_disposition
from dialer.prepared import Prepared
from dialer.row_writes import insert_row, write_row
from dialer.scheduling import (
    Decision,
    earlier_codes,
    release_refused,
    reroute_language,
    settle,
    settle_as,
)
from dialer.sealed import resolve_number
from dialer.telephony.base import CallEvent, DialRefused, NetworkEnding, TelephonyBackend
from dialer.windows import is_callable, local_time, next_opening

logger = logging.getLogger(__name__)

#: A dialed contact is held for the campaign's maximum call duration and this much more.
CALL_HOLD_MARGIN = dt.timedelta(minutes=5)

#: Statements built once: they run with every call.
_LOCK_AGENT = select(Agent.id).where(Agent.id == bindparam("agent")).with_for_update()
_OPEN_ATTEMPTS = Prepared(select(Attempt.id).where(Attempt.agent_id == bindparam("agent"),
                                                Attempt.ended_at.is_(None)))
_ATTEMPTS_MADE = Prepared(select(func.count()).select_from(Attempt).where(
    Attempt.contact_id == bindparam("contact")))

@dataclass(frozen=True)
class CallCase:
    """An attempt as its agent sees it: never a full number."""

    attempt_id: int
    contact_id: int
    campaign_code: str
    agent_code: str
    language: str
    masked_number: str
    ordinal: int
    phase: ContactPhase
    mode: str


@dataclass(frozen=True)
class DialResult:
    """What dialing an attempt came to: refused, answered (live), or ended unanswered."""

    attempt_id: int
    refused: str | None = None
    ending: NetworkEnding | None = None
    answered_at: dt.datetime | None = None
    #: When an unanswered call was over.
    ended_at: dt.datetime | None = None
    decision: Decision | None = None
    events: tuple[str, ...] = field(default_factory=tuple)

    @property
    def answered(self) -> bool:
        return self.ending is NetworkEnding.ANSWERED


class CallDesk:
    """Places and ends calls for agents through one telephony backend."""

    def __init__(self, engine: Engine, backend: TelephonyBackend, *,
                 roster_ttl: dt.timedelta = DEFAULT_ROSTER_TTL) -> None:
        self.engine = writer(engine)
        self.backend = backend
        self.actor = f"telephony:{backend.name}"
        #: How old the snapshot of windows, shifts and retry rules may be (as dispatch's).
        self.roster_ttl = roster_ttl
        self._cached_roster: Roster | None = None
        #: This database's agent codes by id, for naming actors in the trace.
        self._agent_codes: dict[int, str] = {}

    # --- claim to attempt ---------------------------------------------------------------
    def open_attempt(self, claim: Claim, now: dt.datetime | None = None, *,
                     session: Session | None = None) -> CallCase:
        """Turn a claim into the agent's attempt (traced ``claimed``).

        :raises DialerError: ``agent_busy`` if the agent has another attempt open,
            ``not_held`` if the claim was lost.
        """
        moment = now or utc_now()
        with unit_of_work(self.engine, session) as session:
            # One attempt at a time per agent: the agent's row is the lock (PostgreSQL; a
            # SQLite call transaction holds the database's write lock from its start).
            if locks_rows(session):
                session.execute(_LOCK_AGENT, {"agent": claim.agent_id})
            open_ids = execute_core(session, _OPEN_ATTEMPTS, {"agent": claim.agent_id})
            for open_id in open_ids.scalars().all():
                open_attempt = session.get_one(Attempt, open_id)
                if not self._abandon_stale(session, open_attempt, moment):
                    raise DialerError("agent_busy", f"agent {claim.agent_code} already has a "
                                                    "call in progress")
            contact = session.get(Contact, claim.contact_id)
            assert contact is not None
            if contact.held_by_agent_id != claim.agent_id \
                    or contact.lease_until != claim.lease_until:
                raise DialerError("not_held", f"the claim on contact {claim.contact_id} was lost")
            campaign = session.get(Campaign, claim.campaign_id)
            assert campaign is not None
            ordinal = 1 + (execute_core(session, _ATTEMPTS_MADE,
                                            {"contact": contact.id}).scalar() or 0)
            attempt = insert_row(session, Attempt, contact_id=contact.id,
                                 campaign_id=campaign.id, agent_id=claim.agent_id,
                                 ordinal=ordinal, mode=campaign.dialing_mode,
                                 claimed_at=moment, lease_until=claim.lease_until)
            trace.defer(session, campaign.id, [trace.Entry(
                "claimed", "dispatcher", moment, contact.id, attempt.id,
                data={"agent": claim.agent_code, "phase": claim.phase.name.lower(),
                      "mode": campaign.dialing_mode.value, "ordinal": ordinal,
                      "lease_until": claim.lease_until.isoformat()})])
            return CallCase(attempt.id, contact.id, campaign.code, claim.agent_code,
                            claim.language, contact.masked_number, ordinal, claim.phase,
                            campaign.dialing_mode.value)

    # --- dialing ------------------------------------------------------------------------
    def dial(self, attempt_id: int, now: dt.datetime | None = None, *,
             session: Session | None = None) -> DialResult:
        """Place the attempt's call through the backend, by attempt id.

        A refusal by the sealed-dialing checks is traced (``dial_refused``, with its reason)
        and ends the attempt (3.11, not attempted). An unanswered call ends the attempt with
        its disposition. An answered call is connected to the agent and stays live.
        """
        moment = now or utc_now()
        given = session
        with unit_of_work(self.engine, given) as session:
            attempt, campaign = self._attempt(session, attempt_id)
            campaign_code, timeout = campaign.code, dt.timedelta(
                seconds=campaign.no_answer_seconds)
            longest = dt.timedelta(minutes=campaign.max_call_minutes)
            agent = self._agent_code(session, attempt)
            placed = attempt.dialed_at is not None or attempt.ended_at is not None
        if placed:  # refused before the backend: it may still carry this attempt's call
            refusal = DialRefused("already_dialed", f"attempt {attempt_id} was dialed "
                                                    "already; an attempt is dialed once")
            self._record_refusal(attempt_id, refusal, moment, given)
            return DialResult(attempt_id, refused=refusal.code)

        def resolve(asked: int, at: dt.datetime) -> str:
            if asked != attempt_id:  # a backend may resolve only the call it was given
                raise DialRefused("wrong_attempt", f"asked for attempt {asked} while dialing "
                                                   f"attempt {attempt_id}")
            return self._resolve(asked, at, given)

        try:
            setup = self.backend.place_call(attempt_id, resolve, moment,
                                            campaign=campaign_code, no_answer_timeout=timeout,
                                            agent=agent, max_duration=longest)
        except DialRefused as refusal:
            self._record_refusal(attempt_id, refusal, moment, given)
            return DialResult(attempt_id, refused=refusal.code)
        with unit_of_work(self.engine, given) as session:
            attempt, campaign = self._attempt(session, attempt_id)
            entries = [self._entry(attempt, event) for event in setup.events
                       if event.kind != "dial_requested"]
            decision = None
            if setup.answered:
                assert setup.answered_at is not None
                write_row(session, attempt, answered_at=setup.answered_at,
                          connected_at=setup.answered_at)
                entries.append(trace.Entry("connected", "dialer", setup.answered_at,
                                           attempt.contact_id, attempt.id,
                                           data={"agent": self._agent_code(session, attempt)}))
                trace.defer(session, campaign.id, entries)
            else:
                trace.defer(session, campaign.id, entries)
                ended = setup.ended_at or moment
                decision = self._end(session, attempt, campaign,
                                     NETWORK_ENDINGS[setup.ending], ended, by=None)
            return DialResult(attempt_id, ending=setup.ending, answered_at=setup.answered_at,
                              ended_at=setup.ended_at, decision=decision,
                              events=tuple(event.kind for event in setup.events))

    def _resolve(self, attempt_id: int, at: dt.datetime, given: Session | None) -> str:
        """The backend's :data:`NumberResolver`: checks, marks the attempt dialed and traces
        ``dial_requested`` in one committed transaction (the caller's, when it gave one), then
        hands over the number."""
        with unit_of_work(self.engine, given) as session:
            resolved = resolve_number(session, attempt_id, at, self._roster(session))
            attempt, contact = resolved.attempt, resolved.contact
            # Hold the contact for as long as the call may last, so no other claim can reach
            # the respondent during it; ending the call releases it.
            held_until = max(contact.lease_until or at, at + dt.timedelta(
                minutes=resolved.campaign.max_call_minutes) + CALL_HOLD_MARGIN)
            write_row(session, attempt, dialed_at=at, lease_until=held_until)
            write_row(session, contact, attempts=contact.attempts + 1, lease_until=held_until,
                      due_at=held_until)
            trace.defer(session, attempt.campaign_id, [trace.Entry(
                "dial_requested", "dialer", at, contact.id, attempt.id,
                data={"mode": attempt.mode.value, "ordinal": attempt.ordinal,
                      "backend": self.backend.name})])
            return resolved.number

    def _record_refusal(self, attempt_id: int, refusal: DialRefused, at: dt.datetime,
                        given: Session | None) -> None:
        with unit_of_work(self.engine, given) as session:
            attempt = session.get(Attempt, attempt_id)
            if attempt is None:
                raise refusal
            contact = session.get(Contact, attempt.contact_id)
            assert contact is not None
            steps = [self._entry(attempt, event) for event in refusal.events
                     if event.kind != "dial_requested"]
            trace.defer(session, attempt.campaign_id, [*steps, trace.Entry(
                "dial_refused", "dialer", at, contact.id, attempt.id,
                data={"reason": refusal.code, "message": refusal.message})])
            logger.warning("dial refused for attempt %s: %s", attempt_id, refusal.code)
            if attempt.ended_at is not None or attempt.dialed_at is not None:
                return  # a second dial of a placed call: its call and its hold go on
            write_row(session, attempt, ended_at=at, ending=CallEnding.DIAL_REFUSED.value,
                      disposition=attempt_disposition(CallEnding.DIAL_REFUSED),
                      refusal=refusal.code)
            if contact.held_by_agent_id == attempt.agent_id \
                    and contact.lease_until == attempt.lease_until:
                release_refused(session, contact, refusal.code, at)

    # --- the end of a call ------------------------------------------------------------
    def end(self, attempt_id: int, ending: CallEnding, now: dt.datetime | None = None, *,
            by: str = "agent", appointment_at: dt.datetime | None = None,
            promise: bool = False, spoken_language: str | None = None,
            reason: str | None = None, session: Session | None = None) -> Decision:
        """End a connected call: hang up, code the attempt, decide the contact's next call.

        :param appointment_at: for ``APPOINTMENT``, the aware instant the respondent asked for
            (their wall-clock time converted by :func:`dialer.windows.from_local` in their
            zone); it must fall in their calling hours. ``promise`` keeps it for this agent.
        :param spoken_language: for ``LANGUAGE_PROBLEM``, the language the respondent speaks.
        :param reason: why the system ended the call (``max_duration``...), for the trace.
        :raises DialerError: ``not_connected`` (no live call), ``attempt_ended``,
            ``bad_ending`` (an ending that contradicts the interview or lacks its details),
            ``appointment_outside_window``.
        """
        moment = now or utc_now()
        with unit_of_work(self.engine, session) as session:
            attempt, campaign = self._attempt(session, attempt_id, lock=True)
            if attempt.ended_at is not None:
                raise DialerError("attempt_ended", f"attempt {attempt_id} has ended already")
            if attempt.connected_at is None:
                raise DialerError("not_connected", f"attempt {attempt_id} has no connected call")
            if ending not in CONVERSATION_ENDINGS:
                raise DialerError("bad_ending", f"{ending.value} is not how a conversation "
                                                "ends")
            interview = interview_for_ending(session, attempt, ending)
            self._check_details(session, attempt, campaign, ending, moment, appointment_at,
                                spoken_language)
            hangup = self._hang_up(attempt_id, moment, by)
            during = sorted((hangup, *self.backend.call_events(attempt_id)),
                            key=lambda event: event.at)
            trace.defer(session, campaign.id, [self._entry(attempt, event) for event in during])
            return self._end(session, attempt, campaign, ending, moment, by=by,
                             interview=interview, appointment_at=appointment_at,
                             promise=promise, spoken_language=spoken_language, reason=reason)

    def _hang_up(self, attempt_id: int, moment: dt.datetime, by: str) -> CallEvent:
        """Hang up through the backend; a call the backend no longer has (the process that
        placed it ended) is recorded as already gone, so the attempt can still be ended."""
        try:
            return self.backend.hang_up(attempt_id, moment, by=by)
        except DialerError as error:
            if error.code != "no_live_call":
                raise
            return CallEvent("hangup", moment, {"by": by, "call": "already_gone"})

    def _end(self, session: Session, attempt: Attempt, campaign: Campaign, ending: CallEnding,
             at: dt.datetime, *, by: str | None, interview: Interview | None = None,
             appointment_at: dt.datetime | None = None, promise: bool = False,
             spoken_language: str | None = None, reason: str | None = None) -> Decision:
        """Code the attempt, decide the contact's next call, trace the outcome. ``interview``
        is the contact's, for a conversation (a network ending has none to weigh)."""
        contact = session.get(Contact, attempt.contact_id)
        assert contact is not None
        earlier = earlier_codes(session, contact.id, attempt.id) if attempt.ordinal > 1 else []
        code = attempt_disposition(ending, answered_share=answered_share(interview),
                                   earlier_codes=earlier)
        data: dict[str, Any] = {"ending": ending.value}
        if by is not None:
            data["by"] = by
        if reason is not None:
            data["reason"] = reason
        decision = self._decide(session, attempt, contact, campaign, ending, code, earlier,
                                at, appointment_at, promise, spoken_language, data)
        write_row(session, attempt, ended_at=at, ending=ending.value,
                  disposition=decision.code if decision.final else code)
        data.update(code=attempt.disposition, final=decision.final)
        if decision.due_at is not None:
            data["next_due"] = decision.due_at.isoformat()
        trace.defer(session, campaign.id, [trace.Entry(
            "outcome", self._agent_actor(session, attempt) if by == "agent" else "dialer", at,
            contact.id, attempt.id, interview.id if interview else None, data)])
        return decision

    def _decide(self, session: Session, attempt: Attempt, contact: Contact, campaign: Campaign,
                ending: CallEnding, code: str, earlier: list[str], at: dt.datetime,
                appointment_at: dt.datetime | None, promise: bool,
                spoken_language: str | None, data: dict[str, Any]) -> Decision:
        delays = self._rules(session, campaign).retry_delays
        if ending is CallEnding.APPOINTMENT:
            assert appointment_at is not None  # checked by _check_details
            data["appointment_at"] = appointment_at.isoformat()
            return settle(session, contact, campaign, code, earlier, at, delays,
                          appointment_at=appointment_at,
                          promised_to=attempt.agent_id if promise else None)
        if ending is CallEnding.ASKED_NOT_TO_BE_CALLED:
            add_do_not_call(session, contact.phone_e164,
                            f"asked during attempt {attempt.id} of campaign {campaign.code}")
            data["do_not_call"] = True
            return settle_as(session, contact, code, at, ContactState.DO_NOT_CALL)
        if ending is CallEnding.LANGUAGE_PROBLEM:
            assert spoken_language is not None  # checked by _check_details
            data["spoken_language"] = spoken_language
            if contact.attempts >= campaign.max_attempts:  # no call left to re-route to
                return settle(session, contact, campaign, code, earlier, at, delays)
            final = reroute_language(session, contact, campaign, spoken_language, at,
                                     self._roster(session))
            if final is None:
                return Decision(code, False, contact.due_at, ContactPhase.RETRY)
            return settle_as(session, contact, final, at)
        return settle(session, contact, campaign, code, earlier, at, delays)

    def _check_details(self, session: Session, attempt: Attempt, campaign: Campaign,
                       ending: CallEnding, at: dt.datetime,
                       appointment_at: dt.datetime | None, spoken_language: str | None) -> None:
        """Refuse an ending that lacks what it needs, before anything is hung up."""
        contact = session.get(Contact, attempt.contact_id)
        assert contact is not None
        if ending is CallEnding.APPOINTMENT:
            if appointment_at is None or appointment_at <= at:
                raise DialerError("bad_ending", "an appointment needs a time in the future")
            self._check_appointment(session, contact, campaign, appointment_at)
        if ending is CallEnding.LANGUAGE_PROBLEM:
            if not spoken_language or not spoken_language.strip():
                raise DialerError("bad_ending", "a language problem needs the language heard")
            if spoken_language.strip() == contact.group.language:
                raise DialerError("bad_ending", f"the respondent's language is recorded as "
                                                f"{spoken_language} already")

    def nearest_appointment(self, attempt_id: int, wished: dt.datetime, *,
                            session: Session | None = None) -> dt.datetime | None:
        """The first instant from ``wished`` on that lies in the respondent's calling hours
        (what the agent proposes when the wished time is outside them); None if none within
        two weeks."""
        with unit_of_work(self.engine, session) as session:
            attempt, campaign = self._attempt(session, attempt_id)
            contact = session.get(Contact, attempt.contact_id)
            assert contact is not None
            group = contact.group
            return next_opening(self._rules(session, campaign).windows, group.time_zone,
                                group.country, wished,
                                skip_public_holidays=campaign.skip_public_holidays)

    def _rules(self, session: Session, campaign: Campaign) -> CampaignRules:
        """The campaign's windows and retry delays: from the roster snapshot, or its row."""
        rules = self._roster(session).campaigns.get(campaign.id)
        return rules if rules is not None else campaign_rules(campaign)

    def _check_appointment(self, session: Session, contact: Contact, campaign: Campaign,
                           appointment_at: dt.datetime) -> None:
        """Refuse an appointment outside the respondent's calling hours: it could not be kept
        at that time, so the agent proposes another one (:meth:`nearest_appointment`)."""
        group = contact.group
        if not is_callable(self._rules(session, campaign).windows, group.time_zone, group.country,
                           appointment_at, skip_public_holidays=campaign.skip_public_holidays):
            local = local_time(appointment_at, group.time_zone)
            raise DialerError("appointment_outside_window",
                              f"{local:%A %d %B %H:%M} ({group.time_zone}) is outside the "
                              "campaign's calling hours for this respondent: propose another "
                              "time")

    def _roster(self, session: Session) -> Roster:
        """Windows, groups, agents and retry delays, read at most every ``roster_ttl``."""
        self._cached_roster = fresh_roster(self._cached_roster, session, self.roster_ttl)
        return self._cached_roster

    def _abandon_stale(self, session: Session, attempt: Attempt, now: dt.datetime) -> bool:
        """End an attempt left behind unconnected past its hold (its process stopped before
        dialing or before the network answered); False if it may still be going on."""
        if attempt.connected_at is not None or attempt.lease_until > now:
            return False
        ending = CallEnding.DIAL_REFUSED if attempt.dialed_at is None \
            else CallEnding.NETWORK_FAILURE
        write_row(session, attempt, ended_at=now, ending=ending.value,
                  disposition=attempt_disposition(ending))
        trace.defer(session, attempt.campaign_id, [trace.Entry(
            "attempt_abandoned", "dialer", now, attempt.contact_id, attempt.id,
            data={"dialed": attempt.dialed_at is not None, "code": attempt.disposition})])
        return True

    def hang_up_overdue(self, now: dt.datetime | None = None) -> list[int]:
        """Hang up every connected call that has lasted its campaign's maximum duration: the
        attempt ends as a break-off by the system (reason ``max_duration``), or with the
        interview's outcome when it reached one during the call
        (:func:`dialer.call_teardown.hang_up_overdue`).

        :returns: the attempts ended.
        """
        return call_teardown.hang_up_overdue(self, now)

    def end_dropped_calls(self, now: dt.datetime | None = None) -> list[int]:
        """End the calls the network ended on its own, a party having hung up
        (:func:`dialer.call_teardown.end_dropped_calls`). :returns: the attempts ended."""
        return call_teardown.end_dropped_calls(self, now)

    def stop_all_dialing(self, now: dt.datetime | None = None) -> list[int]:
        """The stop-all-dialing switch thrown with its live calls ended
        (:func:`dialer.call_teardown.stop_all_dialing`). :returns: the attempts ended."""
        return call_teardown.stop_all_dialing(self, now)

    def call_rows(self, attempt_id: int, session: Session) -> tuple[Attempt, Contact, Campaign]:
        """The rows of an attempt, for a caller that runs a whole call in ``session`` and keeps
        them referenced so the session serves them from its identity map (it holds rows only
        weakly)."""
        attempt, campaign = self._attempt(session, attempt_id)
        contact = session.get(Contact, attempt.contact_id)
        assert contact is not None
        return attempt, contact, campaign

    def max_call(self, attempt_id: int, session: Session | None = None) -> dt.timedelta:
        """How long the attempt's call may last before the dialer hangs up (the campaign's
        maximum call duration)."""
        with unit_of_work(self.engine, session) as session:
            _attempt, campaign = self._attempt(session, attempt_id)
            return dt.timedelta(minutes=campaign.max_call_minutes)

    # --- helpers ------------------------------------------------------------------------
    def _attempt(self, session: Session, attempt_id: int, *, lock: bool = False
                 ) -> tuple[Attempt, Campaign]:
        """The attempt and its campaign; ``lock`` holds the attempt's row (PostgreSQL) until
        the transaction ends, so two processes cannot both end or dial it. (SQLite's call
        transactions hold the database's write lock from their start.)"""
        attempt = session.get(Attempt, attempt_id,
                              with_for_update=(lock and locks_rows(session)) or None)
        if attempt is None:
            raise DialerError("no_such_attempt", f"there is no attempt {attempt_id}")
        campaign = session.get(Campaign, attempt.campaign_id)
        assert campaign is not None
        return attempt, campaign

    def _entry(self, attempt: Attempt, event: CallEvent) -> trace.Entry:
        return trace.Entry(event.kind, self.actor, event.at, attempt.contact_id, attempt.id,
                           data=dict(event.data))

    def _agent_code(self, session: Session, attempt: Attempt) -> str:
        return agent_code(session, attempt.agent_id, self._agent_codes)

    def _agent_actor(self, session: Session, attempt: Attempt) -> str:
        return actor_of(self._agent_code(session, attempt))
