"""What becomes of a contact after an attempt: called again (when, by whom) or settled.

The AAPOR rules of :mod:`dialer.outcomes` say *whether* and *after how long*; this module
writes the decision into the contact row: its phase (appointment, retry, conversion), when it
is next due, who it is promised to, its disposition, and its final state. It also moves a
contact to the dispatch group of the language the respondent turned out to speak.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from dialer.contacts import group_for
from dialer.db import execute_core
from dialer.dispatch_plan import AgentProfile, Roster
from dialer.errors import DialerError
from dialer.models import Attempt, Campaign, Contact, ContactPhase, ContactState
from dialer.outcomes import Final, Retry, next_step
from dialer.prepared import Prepared
from dialer.row_writes import write_row


@dataclass(frozen=True)
class Decision:
    """What was decided for a contact after an attempt."""

    code: str
    final: bool
    due_at: dt.datetime | None = None
    phase: ContactPhase | None = None
    promised_to: int | None = None


def earlier_codes(session: Session, contact_id: int, before_attempt: int) -> list[str]:
    """Disposition codes of the contact's attempts before ``before_attempt``, oldest first
    (refused dials, which placed no call, are left out)."""
    return [code for code in execute_core(
        session, _EARLIER_CODES, {"contact": contact_id, "before": before_attempt}).scalars()
        if code]


#: Built once: it runs at the end of every attempt after the first.
_EARLIER_CODES = Prepared(select(Attempt.disposition)
                          .where(Attempt.contact_id == bindparam("contact"),
                                 Attempt.id < bindparam("before"),
                                 Attempt.dialed_at.is_not(None))
                          .order_by(Attempt.id))


def settle(session: Session, contact: Contact, campaign: Campaign, code: str,
           earlier: Sequence[str], now: dt.datetime, delays: Mapping[str, dt.timedelta], *,
           appointment_at: dt.datetime | None = None, promised_to: int | None = None
           ) -> Decision:
    """Apply the retry rules to ``contact`` after an attempt coded ``code``, and release it.

    ``delays`` are the campaign's own, by code. ``appointment_at`` (aware) replaces the rule's
    delay: the respondent asked for that time.
    """
    step = next_step(code, attempts_made=max(contact.attempts, 1),
                     max_attempts=campaign.max_attempts, earlier_codes=earlier, delays=delays)
    if isinstance(step, Final):
        return settle_as(session, contact, step.code, now)
    assert isinstance(step, Retry)
    if appointment_at is not None:
        phase, due_at, promised = ContactPhase.APPOINTMENT, appointment_at, promised_to
    else:
        phase = ContactPhase.CONVERSION if step.needs_skill else ContactPhase.RETRY
        due_at, promised = now + step.delay, None
    write_row(session, contact, **RELEASED, disposition=code, phase=int(phase), due_at=due_at,
              appointment_agent_id=promised)
    return Decision(code, False, due_at, phase, promised)


#: The columns of a contact no longer held by anyone.
RELEASED: Mapping[str, None] = MappingProxyType({"held_by_agent_id": None, "lease_until": None})


def settle_as(session: Session, contact: Contact, code: str, now: dt.datetime,
              state: ContactState | None = None) -> Decision:
    """Settle ``contact`` with the final ``code``: released, never due again; its state
    ``state``, else quota_full for 4.80 and done otherwise."""
    write_row(session, contact, **RELEASED,
              state=state or (ContactState.QUOTA_FULL if code == "4.80" else ContactState.DONE),
              disposition=code, due_at=now, appointment_agent_id=None)
    return Decision(code, True)


#: Dial refusals that no later moment or other agent can change: the number is not one the
#: campaign calls (any more). The contact is settled as out of sample (4.10).
PERMANENT_REFUSALS = frozenset({"country", "number_type", "invalid_number", "premium_rate",
                                "shared_cost"})


def release_refused(session: Session, contact: Contact, reason: str, now: dt.datetime) -> None:
    """Release a contact whose dial was refused for ``reason`` (no call was placed).

    Refusals tied to the moment or the agent (window, shift, exclusion, language) give it
    back for anyone to call when dispatch allows; a do-not-call listing sets it aside; a
    number the campaign no longer calls, or a contact out of attempts, is settled.
    """
    settled: dict[str, object] = {}
    if reason == "do_not_call":
        settled["state"] = ContactState.DO_NOT_CALL
    elif reason in PERMANENT_REFUSALS:
        settled.update(state=ContactState.DONE, disposition="4.10")
    elif reason == "no_attempts_left":
        settled["state"] = ContactState.DONE
    write_row(session, contact, **RELEASED, due_at=now, **settled)


def speakers_exist(roster: Roster, campaign: Campaign, language: str) -> bool:
    """Whether any active agent who has shifts speaks ``language`` at the campaign's level."""
    return any(_speaks(agent, language, campaign) for agent in roster.agents.values()
               if agent.shifts)


def _speaks(agent: AgentProfile, language: str, campaign: Campaign) -> bool:
    return agent.speaks(language, campaign.minimum_language_level)


def reroute_language(session: Session, contact: Contact, campaign: Campaign, spoken: str,
                     now: dt.datetime, roster: Roster) -> str | None:
    """Move ``contact`` to the group of the language the respondent speaks, due at once.

    ``roster`` tells which agents there are (a snapshot a few seconds old at most).

    :returns: None when re-routed; else the final code: 2.332 when the campaign does not offer
        ``spoken``, 2.333 when no agent on any shift speaks it.
    :raises DialerError: ``bad_language`` for an empty language.
    """
    language = spoken.strip()
    if not language:
        raise DialerError("bad_language", "name the language the respondent speaks")
    if language not in campaign.languages:
        return "2.332"
    if not speakers_exist(roster, campaign, language):
        return "2.333"
    group = contact.group
    contact.group = group_for(session, campaign, language, group.time_zone, group.country)
    session.flush()  # the new group's row and the contact's move to it
    write_row(session, contact, **RELEASED, phase=int(ContactPhase.RETRY), due_at=now,
              appointment_agent_id=None)
    return None
