"""The partner feed: settled interviews, pulled page by page with a cursor, none missed and
none repeated, while interviews keep completing.

The cursor is a position in the campaign's call trace. An interview enters the feed at the
position of the trace event that settled its case (:data:`SETTLING`): the ``outcome`` event
of its final call, or a dial refusal that settles the contact (a number the campaign no longer
calls, a do-not-call listing, no attempts left). A page holds the interviews settled after the
cursor, in trace order; the next cursor is the position of the last one given.

Why nothing is missed or repeated:

- Positions are gapless and given in commit order. An append takes the chain's head row
  under a lock (``UPDATE ... RETURNING``) and keeps it until its transaction commits, and
  PostgreSQL makes a commit visible before it releases the locks, so the next append can only
  read the head after the previous one is visible (SQLite has a single writer). A reader that
  sees position *n* therefore sees every position below *n*: no event can appear later behind
  a cursor already handed out.
- The settling event commits in the transaction that settles the contact, after (or with)
  every answer of the interview, so what a page gives is complete.
- A settled contact is never dispatched again, so its settling event is its last one. The
  query takes only the last settling event of a contact now settled: an earlier refusal that
  did not in fact settle it (its hold had been lost) is passed over for the later one.
- Each page is read in one snapshot (:func:`results.records.snapshot`).

Not in the feed: contacts without an interview, and interviews whose contact was set aside
without any trace event (a closed quota or a do-not-call listing between two calls); exports
include those.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session, aliased

from dialer.models import Campaign, Contact, ContactState, Interview, TraceEvent
from dialer.scheduling import PERMANENT_REFUSALS
from results.errors import ResultsError
from results.records import InterviewRecord, build_records, interview_query

#: Dial refusals that settle the contact (see :func:`dialer.scheduling.release_refused`).
SETTLING_REFUSALS = tuple(sorted({*PERMANENT_REFUSALS, "do_not_call", "no_attempts_left"}))
#: The largest page a partner may ask for.
MAX_PAGE = 1000


def settling(event: Any) -> Any:
    """SQL condition: ``event`` (TraceEvent or an alias) settles its contact."""
    return or_(and_(event.kind == "outcome", event.data["final"].as_boolean().is_(True)),
               and_(event.kind == "dial_refused",
                    event.data["reason"].as_string().in_(SETTLING_REFUSALS)))


@dataclass(frozen=True)
class FeedItem:
    """One settled interview and the trace position that settled it."""

    seq: int
    record: InterviewRecord


@dataclass(frozen=True)
class FeedPage:
    """A page of the feed; ask for the next one with ``after=next_after``."""

    items: tuple[FeedItem, ...]
    next_after: int

    @property
    def exhausted(self) -> bool:
        """Whether the page was the last one for now (more may settle later)."""
        return not self.items


def interviews_since(session: Session, campaign: Campaign, after: int = 0,
                     limit: int = 100) -> FeedPage:
    """The interviews of ``campaign`` settled after trace position ``after``, in the order the
    trace settled them, at most ``limit``.

    Run it inside :func:`results.records.snapshot`. Start with ``after=0``; keep the returned
    ``next_after`` and pass it next time.

    :raises ResultsError: ``bad_cursor`` for a negative cursor, ``bad_limit`` for a page
        size outside 1 to :data:`MAX_PAGE`.
    """
    if after < 0:
        raise ResultsError("bad_cursor", f"the cursor {after} is not a trace position")
    if not 1 <= limit <= MAX_PAGE:
        raise ResultsError("bad_limit", f"a page holds 1 to {MAX_PAGE} interviews, not {limit}")
    event, later = TraceEvent, aliased(TraceEvent)
    settled = (select(event.seq, event.contact_id)
               .join(Interview, Interview.contact_id == event.contact_id)
               .join(Contact, Contact.id == event.contact_id)
               .where(event.campaign_id == campaign.id, event.seq > after, settling(event),
                      Contact.state != ContactState.WAITING,
                      ~exists().where(later.campaign_id == event.campaign_id,
                                      later.contact_id == event.contact_id,
                                      later.seq > event.seq, settling(later)))
               .order_by(event.seq).limit(limit))
    positions = {contact_id: seq for seq, contact_id in session.execute(settled)}
    if not positions:
        return FeedPage((), after)
    rows = session.execute(interview_query(campaign.id)
                           .where(Interview.contact_id.in_(positions))).all()
    records = build_records(session, campaign, rows)
    items = sorted((FeedItem(positions[record.contact_id], record) for record in records),
                   key=lambda item: item.seq)
    return FeedPage(tuple(items), items[-1].seq)
