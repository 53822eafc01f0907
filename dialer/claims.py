"""Atomic, leased claims of contacts: the SQL that picks the next contact and holds it.

One statement claims: ``UPDATE contacts ... WHERE id = COALESCE(probe1, probe2, ...)
RETURNING ...``. Each probe is an index range scan over ``ix_contacts_dispatch``
(phase, group, due time) for the groups open to the agent, and yields one id or nothing; the
first probe that finds a contact wins, so the order of the probes is the dispatch order.

- On PostgreSQL each probe is ``FOR UPDATE SKIP LOCKED``: concurrent dispatchers pass over rows
  another transaction is claiming instead of waiting for it.
- On SQLite the statement runs in a transaction begun ``IMMEDIATE`` (see :func:`dialer.db.writer`):
  one writer at a time, so the row read as free is still free when it is updated.

A claim sets ``due_at`` to the end of its lease, so a held contact is not due for anybody else,
and is due again by itself when a dead holder's lease runs out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    and_,
    exists,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from dialer.models import (
    AgentExclusion,
    Campaign,
    CampaignState,
    Contact,
    ContactPhase,
    ContactState,
    DoNotCall,
)

_CONTACTS = cast(Table, Contact.__table__)

#: How long an appointment promised to one agent waits for them before anyone may take it.
APPOINTMENT_GRACE = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class Probe:
    """One place to look for a contact: a phase, over some groups, maybe for one agent only."""

    phase: ContactPhase
    group_ids: tuple[int, ...]
    promised_to_agent: bool = False


@dataclass(frozen=True)
class ClaimedRow:
    """What the claiming statement returns."""

    contact_id: int
    campaign_id: int
    group_id: int
    phone_e164: str
    phase: ContactPhase


def probes_for(groups_by_priority: Sequence[Sequence[int]]) -> list[Probe]:
    """The probes in dispatch order: appointments promised to the agent, other appointments,
    retries by campaign priority, then fresh contacts by campaign priority."""
    every = tuple(group for level in groups_by_priority for group in level)
    if not every:
        return []
    probes = [Probe(ContactPhase.APPOINTMENT, every, promised_to_agent=True),
              Probe(ContactPhase.APPOINTMENT, every)]
    probes += [Probe(ContactPhase.RETRY, tuple(level)) for level in groups_by_priority]
    probes += [Probe(ContactPhase.FRESH, tuple(level)) for level in groups_by_priority]
    return probes


def claim(session: Session, agent_id: int, probes: Sequence[Probe], now: dt.datetime,
          lease: dt.timedelta) -> ClaimedRow | None:
    """Hold the first contact any probe finds for ``agent_id`` until ``now + lease``.

    Flushes nothing else; the caller's transaction commits the claim.
    """
    if not probes:
        return None
    skip_locked = session.get_bind().dialect.name == "postgresql"
    candidates = [_probe(probe, agent_id, now, skip_locked).scalar_subquery()
                  for probe in probes]
    target = candidates[0] if len(candidates) == 1 else func.coalesce(*candidates)
    lease_end = now + lease
    contacts = _CONTACTS
    statement = (
        update(contacts)
        .where(contacts.c.id == target)
        .values(held_by_agent_id=agent_id, lease_until=lease_end, due_at=lease_end)
        .returning(contacts.c.id, contacts.c.campaign_id, contacts.c.group_id,
                   contacts.c.phone_e164, contacts.c.phase))
    row = session.execute(statement).one_or_none()
    if row is None:
        return None
    return ClaimedRow(row[0], row[1], row[2], row[3], ContactPhase(row[4]))


def _probe(probe: Probe, agent_id: int, now: dt.datetime, skip_locked: bool) -> Select[tuple[int]]:
    contact = _CONTACTS.c
    query = (
        select(contact.id)
        .where(contact.state == ContactState.WAITING.value,
               contact.phase == int(probe.phase),
               contact.group_id.in_(probe.group_ids),
               contact.due_at <= now,
               _campaign_running_with_attempts_left(),
               ~_on_do_not_call_list(),
               ~_excluded_for(agent_id))
        .limit(1))
    if probe.phase is ContactPhase.APPOINTMENT:
        if probe.promised_to_agent:
            query = query.where(contact.appointment_agent_id == agent_id)
        else:
            query = query.where(or_(contact.appointment_agent_id.is_(None),
                                    contact.due_at <= now - APPOINTMENT_GRACE))
        query = query.order_by(contact.due_at)
    if skip_locked:
        query = query.with_for_update(skip_locked=True)
    return query


def _campaign_running_with_attempts_left() -> ColumnElement[bool]:
    contact = _CONTACTS.c
    campaign = Campaign.__table__.c
    return exists().where(and_(campaign.id == contact.campaign_id,
                               campaign.state == CampaignState.RUNNING.value,
                               contact.attempts < campaign.max_attempts))


def _on_do_not_call_list() -> ColumnElement[bool]:
    entry = DoNotCall.__table__.c
    return exists().where(entry.phone_e164 == _CONTACTS.c.phone_e164)


def _excluded_for(agent_id: int) -> ColumnElement[bool]:
    exclusion = AgentExclusion.__table__.c
    phone = _CONTACTS.c.phone_e164
    return exists().where(
        exclusion.agent_id == literal(agent_id),
        func.substr(phone, 1, func.length(exclusion.prefix)) == exclusion.prefix)


def release(session: Session, contact_id: int, agent_id: int, lease_until: dt.datetime,
            now: dt.datetime) -> bool:
    """Give back a claim unused: the contact is due again at once. False if the claim was
    no longer held (its lease ran out and someone else may hold it)."""
    contacts = _CONTACTS
    result = session.execute(
        update(contacts)
        .where(contacts.c.id == contact_id, contacts.c.held_by_agent_id == agent_id,
               contacts.c.lease_until == lease_until, contacts.c.lease_until > now)
        .values(held_by_agent_id=None, lease_until=None, due_at=now)
        .returning(contacts.c.id))
    return result.one_or_none() is not None


def renew(session: Session, contact_id: int, agent_id: int, lease_until: dt.datetime,
          now: dt.datetime, lease: dt.timedelta) -> dt.datetime | None:
    """Extend a claim still held to ``now + lease``; the new end, or None if it was lost."""
    contacts = _CONTACTS
    new_end = now + lease
    result = session.execute(
        update(contacts)
        .where(contacts.c.id == contact_id, contacts.c.held_by_agent_id == agent_id,
               contacts.c.lease_until == lease_until, contacts.c.lease_until > now)
        .values(lease_until=new_end, due_at=new_end)
        .returning(contacts.c.id))
    return new_end if result.one_or_none() is not None else None
