"""The call trace: an append-only, hash-chained record of everything that happens to a call.

Each campaign has one chain. An event's hash is SHA-256 over the previous event's hash (32
bytes) followed by the event's canonical form: its campaign, position, UTC time, kind, actor,
contact, attempt, interview and data, serialized by the JSON Canonicalization Scheme (RFC 8785,
the ``rfc8785`` package), so anyone can recompute it with a standard tool. The first event
chains to 64 zeros.

Changing a stored event changes its hash; removing or reordering events breaks the link from
one event to the next; removing the last events is seen against :class:`TraceHead`, and against
signed checkpoints (:mod:`dialer.checkpoints`) even when the head is rewritten too.

Appending locks the campaign's head row (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite has a
single writer), so two processes never fork a chain. Appends happen inside the caller's
transaction: an event is stored exactly when what it records is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import rfc8785
from sqlalchemy import Connection, Row, Table, bindparam, func, insert, select
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, SessionTransaction

from dialer import canonical_json
from dialer.errors import DialerError
from dialer.models import TraceEvent, TraceHead
from dialer.prepared import Prepared, column_parameters

#: What the first event of a chain links to.
GENESIS = "0" * 64
_EVENTS = cast(Table, TraceEvent.__table__)
#: A string as JSON, escaped as RFC 8785 escapes it (see dialer.canonical_json).
_JSON_STRING = json.encoder.encode_basestring
_HEADS = cast(Table, TraceHead.__table__)


@dataclass(frozen=True)
class Entry:
    """An event to append. ``data`` must be JSON (RFC 8785: no NaN, integers within 2**53)."""

    kind: str
    actor: str
    at: dt.datetime
    contact_id: int | None = None
    attempt_id: int | None = None
    interview_id: int | None = None
    data: Mapping[str, Any] = field(default_factory=dict)


def canonical_form(campaign_id: int, seq: int, entry: Entry) -> bytes:
    """The bytes an event's hash covers (RFC 8785 JSON).

    :raises DialerError: ``trace_data`` if the data is not canonical JSON.
    """
    if entry.at.tzinfo is None:
        raise DialerError("trace_data", f"{entry.kind}: event time must be aware (UTC)")
    at = entry.at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    try:
        envelope = _envelope(campaign_id, seq, entry, at)
        if envelope is not None:
            return envelope
        return canonical_json.dumps({
            "campaign": campaign_id, "seq": seq, "kind": entry.kind, "actor": entry.actor,
            "at": at, "contact": entry.contact_id, "attempt": entry.attempt_id,
            "interview": entry.interview_id, "data": dict(entry.data)})
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as error:
        raise DialerError("trace_data", f"{entry.kind}: data is not canonical JSON: {error}"
                          ) from None


#: An event's canonical form before and after its data: RFC 8785 orders the members by name.
_BEFORE_DATA = '{"actor":%s,"at":"%s","attempt":%s,"campaign":%s,"contact":%s,"data":'
_AFTER_DATA = ',"interview":%s,"kind":%s,"seq":%s}'
_ID_MAX = 2**53 - 1


def _envelope(campaign_id: int, seq: int, entry: Entry, at: str) -> bytes | None:
    """The canonical form written around the canonical form of the data, or None when a
    member is not of the plain kind this writes as RFC 8785 does (then the whole document
    goes through :func:`canonical_json.dumps`).

    About ten events are hashed per call; sorting and checking the nine members of each one
    cost as much as writing its data, and their kinds are known: positions and ids are
    integers (or None), kind and actor strings, the time the text just made.
    """
    numbers = []
    for number in (entry.attempt_id, campaign_id, entry.contact_id, entry.interview_id, seq):
        if number is None:
            numbers.append("null")
        elif type(number) is int and -_ID_MAX <= number <= _ID_MAX:
            numbers.append(str(number))
        else:
            return None
    if type(entry.kind) is not str or type(entry.actor) is not str:
        return None
    attempt, campaign, contact, interview, position = numbers
    try:
        before = (_BEFORE_DATA % (_JSON_STRING(entry.actor), at, attempt, campaign, contact)
                  ).encode("utf-8")
        after = (_AFTER_DATA % (interview, _JSON_STRING(entry.kind), position)).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: refused by rfc8785
        return None
    return before + canonical_json.dumps(dict(entry.data)) + after


def chain_hash(prev_hash: str, canonical: bytes) -> str:
    """SHA-256 over the previous hash's 32 bytes and the event's canonical form, in hex."""
    return hashlib.sha256(bytes.fromhex(prev_hash) + canonical).hexdigest()


def append(session: Session, campaign_id: int, entries: Sequence[Entry]) -> list[int]:
    """Append ``entries`` to the campaign's chain, in order, in the caller's transaction.

    :returns: the positions (``seq``) given to them.
    :raises DialerError: ``trace_data`` for data that is not canonical JSON (nothing appended).
    """
    if not entries:
        return []
    connection = session.connection()
    seq, last_hash = _lock_head(connection, campaign_id)
    rows = []
    positions = []
    for entry in entries:
        seq += 1
        last_hash_next = chain_hash(last_hash, canonical_form(campaign_id, seq, entry))
        rows.append({"campaign_id": campaign_id, "seq": seq, "at": entry.at,
                     "kind": entry.kind, "actor": entry.actor,
                     "contact_id": entry.contact_id, "attempt_id": entry.attempt_id,
                     "interview_id": entry.interview_id, "data": dict(entry.data),
                     "prev_hash": last_hash, "hash": last_hash_next})
        last_hash = last_hash_next
        positions.append(seq)
    _INSERT_EVENT.execute(connection, rows)
    _MOVE_HEAD.execute(connection, {"campaign": campaign_id, "seq": seq, "hash": last_hash})
    return positions


#: Statements prepared once: appending runs with every transaction of every call.
_INSERT_EVENT = Prepared(insert(_EVENTS).values(column_parameters(
    _EVENTS, [column.key for column in _EVENTS.columns if column.key != "id"])))
_MOVE_HEAD = Prepared(_HEADS.update().where(_HEADS.c.campaign_id == bindparam("campaign"))
                      .values(seq=bindparam("seq"), hash=bindparam("hash")))
#: Reading the head through an UPDATE locks its row on every database (a row lock on
#: PostgreSQL, the write lock on SQLite) in one statement.
_LOCK_HEAD = Prepared(_HEADS.update().where(_HEADS.c.campaign_id == bindparam("campaign"))
                      .values(seq=_HEADS.c.seq).returning(_HEADS.c.seq, _HEADS.c.hash))


def _lock_head(connection: Connection, campaign_id: int) -> tuple[int, str]:
    """The campaign's chain end, locked until the transaction ends; created at the genesis."""
    row = _LOCK_HEAD.execute(connection, {"campaign": campaign_id}).one_or_none()
    if row is None:
        start = {"campaign_id": campaign_id, "seq": 0, "hash": GENESIS}
        insert_head = postgresql.insert(_HEADS) if connection.dialect.name == "postgresql" \
            else sqlite.insert(_HEADS)
        connection.execute(insert_head.values(start).on_conflict_do_nothing())
        row = _LOCK_HEAD.execute(connection, {"campaign": campaign_id}).one()
    return int(row.seq), str(row.hash)


_PENDING = "dialer.trace.pending"


def defer(session: Session, campaign_id: int, entries: Sequence[Entry]) -> None:
    """Append ``entries`` when the session's transaction commits, after those deferred before
    them; dropped if it rolls back.

    Every step of a call is traced in the transaction that makes it; deferring the appends of
    a transaction to its commit takes the chain's lock once per transaction, and only for the
    moment of writing.
    """
    if session.in_nested_transaction():
        raise DialerError("trace_nested", "trace events cannot be deferred inside a savepoint: "
                                          "they are written when the whole transaction commits")
    pending: dict[int, list[Entry]] = session.info.setdefault(_PENDING, {})
    pending.setdefault(campaign_id, []).extend(entries)


@sqlalchemy_event.listens_for(Session, "before_commit")
def _append_deferred(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the events wait for the transaction itself
    pending: dict[int, list[Entry]] | None = session.info.pop(_PENDING, None)
    for campaign_id in sorted(pending or {}):
        append(session, campaign_id, (pending or {})[campaign_id])


@sqlalchemy_event.listens_for(Session, "after_transaction_end")
def _drop_deferred(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the transaction itself ended, not a savepoint in it
        session.info.pop(_PENDING, None)


@dataclass(frozen=True)
class Fault:
    """The first thing wrong with a chain: which event, and what."""

    campaign_id: int
    seq: int
    event_id: int | None
    problem: str

    def __str__(self) -> str:
        where = f"campaign {self.campaign_id}, event #{self.seq}"
        if self.event_id is not None:
            where += f" (row id {self.event_id})"
        return f"{where}: {self.problem}"


@dataclass
class ChainReport:
    """What verifying one campaign's chain found."""

    campaign_id: int
    events: int = 0
    head_hash: str = GENESIS
    fault: Fault | None = None


def verify_chain(session: Session, campaign_id: int, batch: int = 5000,
                 progress: Callable[[int], None] | None = None) -> ChainReport:
    """Recompute a campaign's chain from its first event and compare it with its head.

    Stops at the first fault: an event whose content no longer matches its hash (changed, or
    moved from another position), a missing position (removed), an event that does not link to
    the one before it (reordered or replaced), or a chain that ends before its head says.

    The head is read first and the events up to it are checked: an append stores its events
    and moves the head in one transaction, so events appended while the chain is read (on
    PostgreSQL each statement sees what has committed by then) are left for the next run
    instead of being taken for tampering.

    :param progress: called with the number of events checked, after each batch.
    """
    report = ChainReport(campaign_id)
    head = _head(session, campaign_id)
    expected_seq = 1
    running = GENESIS
    for event in _events(session, campaign_id, batch, None if head is None else head[0],
                         progress):
        fault = _check(event, expected_seq, running)
        if fault is not None:
            report.fault = fault
            return report
        running = event.hash
        expected_seq += 1
        report.events += 1
    report.head_hash = running
    last = expected_seq - 1
    if head is None:
        if last:
            report.fault = Fault(campaign_id, last, None, "the chain has no recorded head")
    elif head[0] > last:
        report.fault = Fault(
            campaign_id, last + 1, None,
            f"the head says the chain ends at #{head[0]}, but it ends at #{last}: the events "
            "after it were removed")
    elif head[1] != running:
        report.fault = Fault(campaign_id, last, None,
                             "the head's hash differs from the last event's")
    else:
        report.fault = _past_the_head(session, campaign_id)
    return report


def _head(session: Session, campaign_id: int) -> tuple[int, str] | None:
    """The campaign's chain end as stored now (read afresh, not from the session's objects)."""
    row = session.execute(select(_HEADS.c.seq, _HEADS.c.hash)
                          .where(_HEADS.c.campaign_id == campaign_id)).one_or_none()
    return None if row is None else (int(row.seq), str(row.hash))


def _past_the_head(session: Session, campaign_id: int) -> Fault | None:
    """Events stored past the head without moving it. The last position is read before the
    head: the head only moves forward, with its events, so a position past a head read after
    it was not appended."""
    last = session.scalar(select(func.max(_EVENTS.c.seq))
                          .where(_EVENTS.c.campaign_id == campaign_id))
    head = _head(session, campaign_id)
    if last is None or head is None or last <= head[0]:
        return None
    return Fault(campaign_id, head[0] + 1, None,
                 f"the head says the chain ends at #{head[0]}, but events up to #{last} are "
                 "stored: events were added past the head")


def _check(event: Row[Any], expected_seq: int, running: str) -> Fault | None:
    def fault(problem: str) -> Fault:
        return Fault(event.campaign_id, expected_seq, event.id, problem)

    if event.seq != expected_seq:
        return Fault(event.campaign_id, expected_seq, None,
                     f"missing: the event before #{event.seq} is #{expected_seq - 1} "
                     "(removed)" if event.seq > expected_seq else "repeated position")
    if event.prev_hash != running:
        return fault("does not link to the event before it (reordered, or an event before "
                     "it was replaced)")
    entry = Entry(event.kind, event.actor, event.at, event.contact_id, event.attempt_id,
                  event.interview_id, event.data or {})
    try:
        recomputed = chain_hash(running, canonical_form(event.campaign_id, event.seq, entry))
    except DialerError as error:
        return fault(f"cannot be read back: {error.message}")
    if recomputed != event.hash:
        return fault(f"{event.kind} by {event.actor}: its content no longer matches its hash "
                     "(changed, or moved here from another position)")
    return None


def _events(session: Session, campaign_id: int, batch: int, until: int | None,
            progress: Callable[[int], None] | None) -> Iterator[Row[Any]]:
    """A campaign's events by position, up to ``until`` (all without it), read in batches of
    plain rows (the chain may be long; nothing accumulates in the session)."""
    after = 0
    while True:
        query = select(_EVENTS).where(_EVENTS.c.campaign_id == campaign_id,
                                      _EVENTS.c.seq > after)
        if until is not None:
            query = query.where(_EVENTS.c.seq <= until)
        rows = list(session.execute(query.order_by(_EVENTS.c.seq).limit(batch)))
        if not rows:
            return
        yield from rows
        if progress is not None:
            progress(len(rows))
        after = rows[-1].seq


def verify_events(session: Session, campaign_id: int, positions: Sequence[int]
                  ) -> dict[int, Fault | None]:
    """Check some events of a campaign's chain where they stand, without reading the whole
    chain (the events of one interview, for its review): each one's content against its
    hash, its link to the event before it, the link of the event after it to it (an event
    replaced with a recomputed hash breaks that one), and that the head covers it.

    What this cannot see is a chain rewritten from the event on, head included: that takes
    :func:`verify_chain` and a signed checkpoint.

    :returns: the fault of each position, None where the event is intact.
    """
    wanted = sorted(set(positions))
    around = sorted({near for seq in wanted for near in (seq - 1, seq, seq + 1) if near > 0})
    rows = {row.seq: row for row in session.execute(
        select(_EVENTS).where(_EVENTS.c.campaign_id == campaign_id,
                              _EVENTS.c.seq.in_(around)))}
    head = _head(session, campaign_id)
    faults: dict[int, Fault | None] = {}
    for seq in wanted:
        event = rows.get(seq)
        if event is None:
            faults[seq] = Fault(campaign_id, seq, None, "missing (removed)")
            continue
        before = rows.get(seq - 1)
        if seq > 1 and before is None:
            faults[seq] = Fault(campaign_id, seq, event.id,
                                f"the event before it (#{seq - 1}) is missing (removed)")
            continue
        fault = _check(event, seq, before.hash if before is not None else GENESIS)
        after = rows.get(seq + 1)
        if fault is None and after is not None and after.prev_hash != event.hash:
            fault = Fault(campaign_id, seq, event.id, "the event after it does not link to "
                          "it (this event was replaced)")
        if fault is None and (head is None or head[0] < seq
                              or (head[0] == seq and head[1] != event.hash)):
            fault = Fault(campaign_id, seq, event.id, "past the chain's head, or the head "
                          "does not end on it (added or replaced)")
        faults[seq] = fault
    return faults


def chained_campaigns(session: Session) -> list[int]:
    """Campaigns that have a chain (a head or at least one event)."""
    heads = set(session.scalars(select(TraceHead.campaign_id)))
    events = set(session.scalars(select(TraceEvent.campaign_id).distinct()))
    return sorted(heads | events)
