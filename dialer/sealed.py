"""Sealed dialing: the number behind an attempt, checked again at the moment of dialing.

Telephony backends dial *by attempt id*. When a backend is about to place a call it asks
:func:`resolve_number` for the number; this is the only place a full number leaves the
database for the network, and it is refused unless, at that very instant:

- the attempt exists, has not been dialed yet, has not ended, and its claim still holds the
  contact (same agent, lease not run out);
- the contact is on the attempt's campaign list, still waiting, with attempts left, and the
  campaign is running;
- the number is not on the do-not-call list nor excluded for the attempt's agent;
- the number is of a country and a type the campaign allows;
- the respondent's calling window is open in their own time zone (public holidays off);
- the agent is on shift and speaks the contact's language at the campaign's minimum level.

Nothing accepts a number from an agent or a file here: the number is read from the contact
row the attempt points to.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from dialer.models import (
    Agent,
    AgentExclusion,
    AgentLanguage,
    Attempt,
    CallingWindow,
    Campaign,
    CampaignState,
    Contact,
    ContactState,
    DoNotCall,
    Shift,
    Site,
)
from dialer.phones import NumberRefused, check_number
from dialer.telephony.base import DialRefused
from dialer.windows import WeeklyShift, WeeklyWindow, is_callable, on_shift


@dataclass(frozen=True)
class Resolved:
    """A number cleared for dialing, with what it was checked against."""

    attempt: Attempt
    contact: Contact
    campaign: Campaign
    number: str


def resolve_number(session: Session, attempt_id: int, now: dt.datetime) -> Resolved:
    """The number to dial for ``attempt_id`` at ``now``, after every check above.

    :raises DialRefused: with the reason as its code (``no_such_attempt``, ``already_dialed``,
        ``attempt_ended``, ``not_held``, ``not_in_campaign``, ``contact_done``,
        ``campaign_not_running``, ``no_attempts_left``, ``do_not_call``, ``excluded``,
        ``invalid_number``, ``country``, ``number_type``, ``premium_rate``,
        ``shared_cost``, ``outside_window``, ``off_shift``, ``language_not_spoken``). The
        message never contains the number.
    """
    attempt = session.get(Attempt, attempt_id)
    if attempt is None:
        raise DialRefused("no_such_attempt", f"there is no attempt {attempt_id}")
    contact = session.get(Contact, attempt.contact_id)
    campaign = session.get(Campaign, attempt.campaign_id)
    assert contact is not None and campaign is not None  # foreign keys
    _check_attempt(attempt, contact, campaign, now)
    _check_lists(session, attempt, contact)
    try:
        check_number(contact.phone_e164, allowed_countries=campaign.allowed_countries,
                     allowed_types=campaign.allowed_number_types)
    except NumberRefused as refusal:
        raise DialRefused(refusal.reason, f"attempt {attempt_id}: the number is refused for "
                                          f"this campaign ({refusal.reason})") from None
    _check_moment(session, attempt, contact, campaign, now)
    return Resolved(attempt, contact, campaign, contact.phone_e164)


def _check_attempt(attempt: Attempt, contact: Contact, campaign: Campaign,
                   now: dt.datetime) -> None:
    def refuse(code: str, why: str) -> DialRefused:
        return DialRefused(code, f"attempt {attempt.id}: {why}")

    if attempt.dialed_at is not None:
        raise refuse("already_dialed", "was dialed already; an attempt is dialed once")
    if attempt.ended_at is not None:
        raise refuse("attempt_ended", "has ended")
    if contact.campaign_id != attempt.campaign_id:
        raise refuse("not_in_campaign", "its contact is not on the campaign's list")
    if contact.held_by_agent_id != attempt.agent_id or contact.lease_until is None \
            or contact.lease_until <= now or contact.lease_until != attempt.lease_until:
        raise refuse("not_held", "its claim on the contact is no longer held")
    if contact.state is ContactState.DO_NOT_CALL:
        raise refuse("do_not_call", "the number is on the do-not-call list")
    if contact.state is not ContactState.WAITING:
        raise refuse("contact_done", f"the contact is {contact.state.value}")
    if campaign.state is not CampaignState.RUNNING:
        raise refuse("campaign_not_running", f"campaign {campaign.code} is "
                                             f"{campaign.state.value}")
    if contact.attempts >= campaign.max_attempts:
        raise refuse("no_attempts_left", f"the contact has had its {campaign.max_attempts} "
                                         "attempts")


def _check_lists(session: Session, attempt: Attempt, contact: Contact) -> None:
    phone = contact.phone_e164
    listed = exists().where(DoNotCall.phone_e164 == phone)
    excluded = exists().where(
        AgentExclusion.agent_id == attempt.agent_id,
        func.substr(phone, 1, func.length(AgentExclusion.prefix)) == AgentExclusion.prefix)
    on_list, is_excluded = session.execute(select(listed, excluded)).one()
    if on_list:
        raise DialRefused("do_not_call", f"attempt {attempt.id}: the number is on the "
                                         "do-not-call list")
    if is_excluded:
        raise DialRefused("excluded", f"attempt {attempt.id}: the number is excluded for "
                                      "this agent")


def _check_moment(session: Session, attempt: Attempt, contact: Contact, campaign: Campaign,
                  now: dt.datetime) -> None:
    windows = [WeeklyWindow(w.weekday, w.start, w.end) for w in session.scalars(
        select(CallingWindow).where(CallingWindow.campaign_id == campaign.id))]
    group = contact.group
    if not is_callable(windows, group.time_zone, group.country, now,
                       skip_public_holidays=campaign.skip_public_holidays):
        raise DialRefused("outside_window", f"attempt {attempt.id}: the respondent's calling "
                                            f"window is closed ({group.time_zone})")
    site_zone, level = session.execute(
        select(Site.time_zone, AgentLanguage.level)
        .join(Agent, Agent.site_id == Site.id)
        .outerjoin(AgentLanguage, (AgentLanguage.agent_id == Agent.id)
                   & (AgentLanguage.language == group.language))
        .where(Agent.id == attempt.agent_id)).one()
    shifts = [WeeklyShift(s.weekday, s.start, s.end) for s in session.scalars(
        select(Shift).where(Shift.agent_id == attempt.agent_id))]
    if not on_shift(shifts, site_zone, now):
        raise DialRefused("off_shift", f"attempt {attempt.id}: the agent is not on shift")
    if level is None or level.rank < campaign.minimum_language_level.rank:
        raise DialRefused("language_not_spoken", f"attempt {attempt.id}: the agent does not "
                                                 f"speak {group.language} well enough")
