"""Sealed dialing: the number behind an attempt, checked again at the moment of dialing.

Telephony backends dial *by attempt id*. When a backend is about to place a call it asks
:func:`resolve_number` for the number; this is the only place a full number leaves the
database for the network, and it is refused unless, at that very instant:

- the attempt exists, has not been dialed yet, has not ended, and its claim still holds the
  contact (same agent, lease not run out);
- dialing is not stopped (the stop-all-dialing switch, :mod:`dialer.dialing_switch`);
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
import functools
from dataclasses import dataclass

from sqlalchemy import Select, String, bindparam, exists, func, select
from sqlalchemy.orm import Session

from dialer.db import execute_core
from dialer.dialing_switch import stopped_clause
from dialer.dispatch_plan import AgentProfile, CampaignRules, Group, Roster, campaign_rules
from dialer.models import (
    Agent,
    AgentExclusion,
    Attempt,
    Campaign,
    CampaignState,
    Contact,
    ContactState,
    DoNotCall,
    Site,
)
from dialer.phones import NumberRefused, check_number
from dialer.prepared import Prepared
from dialer.telephony.base import DialRefused
from dialer.windows import WeeklyShift, is_callable


@dataclass(frozen=True)
class Resolved:
    """A number cleared for dialing, with what it was checked against."""

    attempt: Attempt
    contact: Contact
    campaign: Campaign
    number: str


def resolve_number(session: Session, attempt_id: int, now: dt.datetime,
                   roster: Roster | None = None) -> Resolved:
    """The number to dial for ``attempt_id`` at ``now``, after every check above.

    ``roster`` (the dispatcher's snapshot, a few seconds old at most) supplies the calling
    windows, the contact's group and the agent's shifts and languages when it knows them;
    what can change from one moment to the next (the attempt, the contact's holder and state,
    the campaign's state, the lists) is always read from the database.

    :raises DialRefused: with the reason as its code (``no_such_attempt``, ``already_dialed``,
        ``attempt_ended``, ``not_held``, ``dialing_stopped``, ``not_in_campaign``, ``contact_done``,
        ``campaign_not_running``, ``no_attempts_left``, ``do_not_call``, ``excluded``,
        ``invalid_number``, ``country``, ``number_type``, ``premium_rate``,
        ``shared_cost``, ``outside_window``, ``off_shift``, ``agent_inactive``,
        ``language_not_spoken``). The
        message never contains the number.
    """
    attempt = session.get(Attempt, attempt_id)
    if attempt is None:
        raise DialRefused("no_such_attempt", f"there is no attempt {attempt_id}")
    contact = session.get(Contact, attempt.contact_id)
    campaign = session.get(Campaign, attempt.campaign_id)
    assert contact is not None and campaign is not None  # foreign keys
    _check_attempt(attempt, contact, campaign, now)
    _check_switch_and_lists(session, attempt, contact)
    try:
        _check_number(contact.phone_e164, frozenset(campaign.allowed_countries),
                      frozenset(campaign.allowed_number_types))
    except NumberRefused as refusal:
        raise DialRefused(refusal.reason, f"attempt {attempt_id}: the number is refused for "
                                          f"this campaign ({refusal.reason})") from None
    _check_moment(session, attempt, contact, campaign, now, roster)
    return Resolved(attempt, contact, campaign, contact.phone_e164)


@functools.lru_cache(maxsize=1 << 17)
def _check_number(phone: str, countries: frozenset[str], types: frozenset[str]) -> None:
    """:func:`dialer.phones.check_number`, remembered for the numbers it accepted (it depends
    on nothing but its arguments; a refusal raises, so it is never remembered). A contact is
    dialed a few times, and parsing is a sizeable part of a dial."""
    check_number(phone, allowed_countries=countries, allowed_types=types)


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


def _stopped_listed_or_excluded() -> Select[bool, bool, bool]:
    """Whether all dialing is stopped, whether the number ``phone`` is on the do-not-call
    list, and whether it is excluded for the agent ``agent``, in one statement (built once: it
    runs with every dial)."""
    phone = bindparam("phone", type_=String())
    listed = exists().where(DoNotCall.phone_e164 == phone)
    excluded = exists().where(
        AgentExclusion.agent_id == bindparam("agent"),
        func.substr(phone, 1, func.length(AgentExclusion.prefix)) == AgentExclusion.prefix)
    return select(stopped_clause(), listed, excluded)


_STOPPED_LISTED_OR_EXCLUDED = Prepared(_stopped_listed_or_excluded())


def _check_switch_and_lists(session: Session, attempt: Attempt, contact: Contact) -> None:
    """The stop-all-dialing switch first, then the do-not-call list and the agent's
    exclusions."""
    stopped, on_list, is_excluded = execute_core(
        session, _STOPPED_LISTED_OR_EXCLUDED,
        {"phone": contact.phone_e164, "agent": attempt.agent_id}).one()
    if stopped:
        raise DialRefused("dialing_stopped", f"attempt {attempt.id}: all dialing is stopped "
                                             "(stop-all-dialing switch)")
    if on_list:
        raise DialRefused("do_not_call", f"attempt {attempt.id}: the number is on the "
                                         "do-not-call list")
    if is_excluded:
        raise DialRefused("excluded", f"attempt {attempt.id}: the number is excluded for "
                                      "this agent")


def _check_moment(session: Session, attempt: Attempt, contact: Contact, campaign: Campaign,
                  now: dt.datetime, roster: Roster | None) -> None:
    rules = roster.campaigns.get(campaign.id) if roster else None
    group = roster.groups_by_id.get(contact.group_id) if roster else None
    agent = roster.agents.get(attempt.agent_id) if roster else None
    if rules is None or group is None or agent is None:
        rules, group, agent = _read_moment_rules(session, attempt, contact, campaign)
    if not is_callable(rules.windows, group.time_zone, group.country, now,
                       skip_public_holidays=rules.skip_public_holidays):
        raise DialRefused("outside_window", f"attempt {attempt.id}: the respondent's calling "
                                            f"window is closed ({group.time_zone})")
    if not agent.on_shift(now):
        raise DialRefused("off_shift", f"attempt {attempt.id}: the agent is not on shift")
    if not agent.speaks(group.language, rules.minimum_level):
        raise DialRefused("language_not_spoken", f"attempt {attempt.id}: the agent does not "
                                                 f"speak {group.language} well enough")


def _read_moment_rules(session: Session, attempt: Attempt, contact: Contact, campaign: Campaign
                       ) -> tuple[CampaignRules, Group, AgentProfile]:
    """The windows, the contact's group and the agent, read from the database (when the
    caller has no roster, or its roster does not know them yet)."""
    rules = campaign_rules(campaign)
    stored = contact.group
    group = Group(stored.id, stored.campaign_id, stored.language, stored.time_zone,
                  stored.country)
    agent = session.get(Agent, attempt.agent_id)
    assert agent is not None
    if not agent.active:
        raise DialRefused("agent_inactive", f"attempt {attempt.id}: the agent is not active")
    site = session.get(Site, agent.site_id)
    assert site is not None
    profile = AgentProfile(
        agent.id, agent.code, {spoken.language: spoken.level for spoken in agent.languages},
        tuple(WeeklyShift(s.weekday, s.start, s.end) for s in agent.shifts), site.time_zone)
    return rules, group, profile
