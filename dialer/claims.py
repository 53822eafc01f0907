"""Atomic, leased claims of contacts: the SQL that picks the next contact and holds it.

One statement claims: ``UPDATE contacts ... WHERE id = COALESCE(probe1, probe2, ...)
RETURNING ...``, prepared once per shape (groups per priority level, :mod:`dialer.prepared`),
then only given new parameters; it returns the whole contact row. Each probe is an ordered
scan of ``ix_contacts_dispatch`` (phase, group, due time) that stops at its first row and yields
one id or nothing; the first probe that finds a contact wins (the later ones are never run),
so the order of the probes is the dispatch order.

- On PostgreSQL each probe is ``FOR UPDATE SKIP LOCKED``: concurrent dispatchers pass over rows
  another transaction is claiming instead of waiting for it.
- On SQLite the statement runs in a transaction begun ``IMMEDIATE`` (see :func:`dialer.db.writer`):
  one writer at a time, so the row read as free is still free when it is updated.

While the stop-all-dialing switch is on (:mod:`dialer.dialing_switch`), the statement claims
nothing: it reads the switch itself, so a stop takes effect at the next claim of every process.

A claim sets ``due_at`` to the end of its lease, so a held contact is not due for anybody else,
and is due again by itself when a dead holder's lease runs out.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    ScalarSelect,
    Table,
    and_,
    bindparam,
    exists,
    func,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from dialer.db import prepared_rows
from dialer.dialing_switch import stopped_clause
from dialer.models import (
    Agent,
    AgentExclusion,
    Campaign,
    CampaignState,
    Contact,
    ContactPhase,
    ContactState,
    DoNotCall,
    UTCDateTime,
)
from dialer.prepared import Prepared
from dialer.row_writes import adopt_row, forget_row

_CONTACTS = cast(Table, Contact.__table__)

#: How long an appointment promised to one agent waits for them before anyone may take it.
APPOINTMENT_GRACE = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class ClaimedRow:
    """What the claiming statement returns."""

    contact_id: int
    campaign_id: int
    group_id: int
    masked_number: str
    phase: ContactPhase
    #: Whether the agent was waiting for a call (ready) when the claim was made.
    agent_was_waiting: bool


def claim(session: Session, agent_id: int, groups_by_priority: Sequence[Sequence[int]],
          now: dt.datetime, lease: dt.timedelta, rng: random.Random | None = None,
          *, converts: bool = False) -> ClaimedRow | None:
    """Hold for ``agent_id``, until ``now + lease``, the first contact found in this order:
    appointments promised to the agent, other appointments, retries by campaign priority, soft
    refusals to convert (only if the agent ``converts``), then fresh contacts by campaign
    priority; only in ``groups_by_priority`` (group ids, one list
    per priority level, highest first). Within a level, groups are tried in a random order
    (``rng``), so that no group of the same priority waits for another to empty.

    Flushes nothing else; the caller's transaction commits the claim. The session holds the
    claimed contact afterwards, as the statement returned it.
    """
    levels = [list(level) for level in groups_by_priority if level]
    if not levels:
        return None
    for level in levels:
        (rng or _RANDOM).shuffle(level)
    skip_locked = session.get_bind().dialect.name == "postgresql"
    parameters: dict[str, object] = {
        "agent": agent_id, "now": now, "lease_end": now + lease,
        "grace_cutoff": now - APPOINTMENT_GRACE}
    parameters.update({_group_name(number, index): group
                       for number, level in enumerate(levels)
                       for index, group in enumerate(level)})
    shape = tuple(len(level) for level in levels)
    # Flushed first, as autoflush would: the probes read what the session has pending.
    rows = prepared_rows(session, _statement(shape, skip_locked, converts), parameters)
    if not rows:
        return None
    *columns, agent_was_waiting = rows[0]
    values = dict(zip(_CONTACTS.columns.keys(), columns, strict=True))
    # The claim returns the whole contact: the session holds it as claimed, and the call
    # that follows reads it from there instead of loading it again.
    contact = adopt_row(session, Contact, values)
    return ClaimedRow(contact.id, contact.campaign_id, contact.group_id, contact.masked_number,
                      ContactPhase(contact.phase), bool(agent_was_waiting))


_RANDOM = random.Random()


def _group_name(level: int, index: int) -> str:
    return f"group_{level}_{index}"


@functools.cache
def _statement(shape: tuple[int, ...], skip_locked: bool, converts: bool) -> Prepared:
    """The claiming statement for priority levels of ``shape`` (number of groups in each),
    built once and reused: only its parameters change from call to call. Soft refusals to
    convert are probed only when the agent ``converts`` (has the skill), after retries."""
    names = [_group_name(level, index) for level, size in enumerate(shape)
             for index in range(size)]
    probes = [_probe(ContactPhase.APPOINTMENT, skip_locked, promised=True, groups=names),
              _probe(ContactPhase.APPOINTMENT, skip_locked, promised=False, groups=names)]
    phases = (ContactPhase.RETRY, ContactPhase.CONVERSION, ContactPhase.FRESH) if converts \
        else (ContactPhase.RETRY, ContactPhase.FRESH)
    for phase in phases:
        probes += [_probe(phase, skip_locked, groups=[name]) for name in names]
    contacts = _CONTACTS
    lease_end = bindparam("lease_end", type_=UTCDateTime())
    return Prepared(
        update(contacts)
        .where(contacts.c.id == func.coalesce(*probes), ~stopped_clause())
        .values(held_by_agent_id=bindparam("agent"), lease_until=lease_end, due_at=lease_end)
        .returning(*contacts.columns, _agent_waiting()))


def _probe(phase: ContactPhase, skip_locked: bool, *, groups: Sequence[str],
           promised: bool = False) -> ScalarSelect[int]:
    """One id or nothing: the longest-due waiting contact of ``phase`` that this agent may
    call, in the groups the parameters ``groups`` name (one group; for appointments, every
    open group). Plain parameters, not an expanding list, so that the compiled statement is
    run as it is: an expanding list is rendered into the SQL again at every execution.

    Each probe is an ordered scan of ``ix_contacts_dispatch`` (phase, group, due time) that
    stops at its first row; state and phase are written into the SQL, not bound, so that the
    planners see the partial index applies. One group per probe keeps PostgreSQL from
    preferring a sequential scan that would walk past finished contacts."""
    contact = _CONTACTS.c
    now = bindparam("now", type_=UTCDateTime())
    agent: BindParameter[int] = bindparam("agent")
    query = (
        select(contact.id)
        .where(contact.state == literal_column(f"'{ContactState.WAITING.value}'"),
               contact.phase == literal_column(str(int(phase))),
               contact.due_at <= now,
               _campaign_running_with_attempts_left(),
               ~_on_do_not_call_list(),
               ~_excluded_for(agent))
        .order_by(contact.due_at)
        .limit(1))
    if len(groups) == 1:
        query = query.where(contact.group_id == bindparam(groups[0]))
    else:
        query = query.where(contact.group_id.in_([bindparam(name) for name in groups]))
    if phase is ContactPhase.APPOINTMENT:
        if promised:
            query = query.where(contact.appointment_agent_id == agent)
        else:
            query = query.where(or_(
                contact.appointment_agent_id.is_(None),
                contact.due_at <= bindparam("grace_cutoff", type_=UTCDateTime())))
    if skip_locked:
        query = query.with_for_update(skip_locked=True)
    return query.scalar_subquery()


def _agent_waiting() -> ScalarSelect[bool]:
    """Whether the claiming agent is marked ready (waiting for a call), read in the claim's
    own statement so that the dispatcher clears the mark only when there is one."""
    agents = Agent.__table__.c
    return (select(agents.ready_since.is_not(None)).where(agents.id == bindparam("agent"))
            .scalar_subquery())


def _campaign_running_with_attempts_left() -> ColumnElement[bool]:
    contact = _CONTACTS.c
    campaign = Campaign.__table__.c
    return exists().where(and_(campaign.id == contact.campaign_id,
                               campaign.state == CampaignState.RUNNING.value,
                               contact.attempts < campaign.max_attempts))


def _on_do_not_call_list() -> ColumnElement[bool]:
    entry = DoNotCall.__table__.c
    return exists().where(entry.phone_e164 == _CONTACTS.c.phone_e164)


def _excluded_for(agent: BindParameter[int]) -> ColumnElement[bool]:
    exclusion = AgentExclusion.__table__.c
    phone = _CONTACTS.c.phone_e164
    return exists().where(
        exclusion.agent_id == agent,
        func.substr(phone, 1, func.length(exclusion.prefix)) == exclusion.prefix)


def release(session: Session, contact_id: int, agent_id: int, lease_until: dt.datetime,
            now: dt.datetime) -> bool:
    """Give back a claim unused: the contact is due again at once. False if the claim was
    no longer held (its lease ran out and someone else may hold it)."""
    return _update_held(session, contact_id, agent_id, lease_until, now,
                        held_by_agent_id=None, lease_until=None, due_at=now)


def renew(session: Session, contact_id: int, agent_id: int, lease_until: dt.datetime,
          now: dt.datetime, lease: dt.timedelta) -> dt.datetime | None:
    """Extend a claim still held to ``now + lease``; the new end, or None if it was lost."""
    new_end = now + lease
    renewed = _update_held(session, contact_id, agent_id, lease_until, now,
                           lease_until=new_end, due_at=new_end)
    return new_end if renewed else None


def _update_held(session: Session, contact_id: int, agent_id: int, held_until: dt.datetime,
                 now: dt.datetime, **values: object) -> bool:
    """Change a contact only while this claim (agent and lease end) still holds it."""
    contacts = _CONTACTS
    result = session.execute(
        update(contacts)
        .where(contacts.c.id == contact_id, contacts.c.held_by_agent_id == agent_id,
               contacts.c.lease_until == held_until, contacts.c.lease_until > now)
        .values(**values)
        .returning(contacts.c.id))
    changed = result.one_or_none() is not None
    if changed:
        forget_row(session, Contact, contact_id)
    return changed
