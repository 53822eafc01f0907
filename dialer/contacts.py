"""Operations on contacts one at a time, the do-not-call list and per-agent exclusions.

Bulk loading from files is :mod:`dialer.importing`; this module is what it and the tests share.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dialer.contact_rules import ContactRefused, contact_time_zone, interview_language
from dialer.errors import DialerError
from dialer.models import (
    Agent,
    AgentExclusion,
    Campaign,
    Contact,
    ContactPhase,
    ContactState,
    DispatchGroup,
    DoNotCall,
    utc_now,
)
from dialer.phones import NumberRefused, check_number, check_prefix, international_number

logger = logging.getLogger(__name__)


def group_for(session: Session, campaign: Campaign, language: str, time_zone: str,
              country: str) -> DispatchGroup:
    """The dispatch group of ``campaign`` for this language, zone and country, made if new."""
    found = session.scalars(select(DispatchGroup).where(
        DispatchGroup.campaign_id == campaign.id, DispatchGroup.language == language,
        DispatchGroup.time_zone == time_zone, DispatchGroup.country == country)).one_or_none()
    if found is not None:
        return found
    group = DispatchGroup(campaign_id=campaign.id, language=language, time_zone=time_zone,
                          country=country)
    session.add(group)
    session.flush()
    return group


def add_contact(session: Session, campaign: Campaign, phone: str, language: str,
                time_zone: str | None = None, fields: Mapping[str, Any] | None = None,
                due_at: dt.datetime | None = None) -> Contact:
    """One contact, checked like an imported line (number, language, time zone, do-not-call
    list); fields are stored as given (the importer checks them against the questionnaire).

    :raises DialerError: the number's refusal reason, a :mod:`dialer.contact_rules` reason, or
        ``do_not_call``.
    """
    try:
        number = check_number(phone, allowed_countries=campaign.allowed_countries,
                              allowed_types=campaign.allowed_number_types,
                              default_country=campaign.allowed_countries[0])
    except NumberRefused as refused:
        raise DialerError(refused.reason, str(refused)) from None
    try:
        language = interview_language(language, campaign.languages)
        zone = contact_time_zone(time_zone, number)
    except ContactRefused as refused:
        raise DialerError(refused.reason, refused.message) from None
    if session.get(DoNotCall, number.e164) is not None:
        raise DialerError("do_not_call", f"{number.masked} is on the do-not-call list")
    contact = Contact(campaign_id=campaign.id, phone_e164=number.e164, masked_number=number.masked,
                      group=group_for(session, campaign, language, zone, number.country),
                      fields=dict(fields or {}), phase=int(ContactPhase.FRESH),
                      due_at=due_at or utc_now())
    session.add(contact)
    session.flush()
    return contact


def add_do_not_call(session: Session, phone: str, reason: str = "") -> DoNotCall:
    """Put a number on the do-not-call list (idempotent; a new ``reason`` replaces the old),
    and take its waiting contacts out of every campaign's queue (state ``do_not_call``).

    :raises DialerError: ``invalid_number``.
    """
    try:
        e164 = international_number(phone)
    except NumberRefused as refused:
        raise DialerError(refused.reason, str(refused)) from None
    entry = session.get(DoNotCall, e164)
    if entry is None:
        entry = DoNotCall(phone_e164=e164, reason=reason, added_at=utc_now())
        session.add(entry)
    elif reason:
        entry.reason = reason
    # Claims check the list anyway; taking the contacts out of the queue keeps every probe
    # from walking past them.
    session.execute(update(Contact).where(Contact.phone_e164 == e164,
                                          Contact.state == ContactState.WAITING)
                    .values(state=ContactState.DO_NOT_CALL))
    session.flush()
    return entry


def add_exclusion(session: Session, agent: Agent, number_or_prefix: str,
                  reason: str = "") -> AgentExclusion:
    """Forbid connecting ``agent`` to a number or to every number starting with a prefix
    (idempotent: an exclusion given again keeps its first reason unless a new one is given).

    :raises DialerError: ``prefix``.
    """
    try:
        prefix = check_prefix(number_or_prefix)
    except NumberRefused as refused:
        raise DialerError(refused.reason, str(refused)) from None
    exclusion = session.scalars(select(AgentExclusion).where(
        AgentExclusion.agent_id == agent.id, AgentExclusion.prefix == prefix)).one_or_none()
    if exclusion is None:
        exclusion = AgentExclusion(agent_id=agent.id, prefix=prefix, reason=reason)
        session.add(exclusion)
    elif reason:
        exclusion.reason = reason
    session.flush()
    return exclusion
