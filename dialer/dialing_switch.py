"""The stop-all-dialing switch: one row in the database that every dialer process reads at the
moment it acts, so that stopping takes effect at once everywhere.

While dialing is stopped:

- the dispatcher's claiming statement finds no contact (:mod:`dialer.claims` reads the switch
  in the same statement), so no agent is given a call;
- the sealed resolver refuses to give any number (:mod:`dialer.sealed`): a dial already on
  its way is refused and traced as ``dial_refused`` with the reason ``dialing_stopped``;
- when the stop says so (``end_live_calls``), the calls going on are hung up by the system
  (:meth:`dialer.calls.CallDesk.stop_all_dialing`, run by every dialer worker).

Stopping and resuming are traced in the chain of every campaign that is not finished
(``dialing_stopped``, ``dialing_resumed``), with who did it and why. Operations flush, never
commit (STYLE 4).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import cast

from sqlalchemy import ColumnElement, Table, exists, select, true
from sqlalchemy.orm import Session

from dialer import trace
from dialer.errors import DialerError
from dialer.models import Campaign, CampaignState, DialingSwitch, utc_now
from dialer.models.control import SWITCH_ROW

_SWITCH = cast(Table, DialingSwitch.__table__)


@dataclass(frozen=True)
class SwitchState:
    """Whether dialing is stopped, and the last change (None if it never changed)."""

    stopped: bool
    end_live_calls: bool = False
    changed_at: dt.datetime | None = None
    changed_by: str | None = None
    reason: str = ""


def dialing_state(session: Session) -> SwitchState:
    """The switch as it is now in the database."""
    row = session.get(DialingSwitch, SWITCH_ROW, populate_existing=True)
    if row is None:
        return SwitchState(stopped=False)
    return SwitchState(row.stopped, row.end_live_calls, row.changed_at, row.changed_by,
                       row.reason)


def dialing_stopped(session: Session) -> bool:
    """Whether all dialing is stopped (one small query, read at the moment of acting)."""
    return bool(session.scalar(select(stopped_clause())))


def stopped_clause() -> ColumnElement[bool]:
    """SQL that is true while dialing is stopped, for statements that must see the switch."""
    return exists().where(_SWITCH.c.stopped == true())


def stop_dialing(session: Session, by: str, reason: str = "", *, end_live_calls: bool = False,
                 now: dt.datetime | None = None) -> SwitchState:
    """Stop all dialing, in every dialer process, from the commit of the caller's transaction.

    :param by: who stops it (``supervisor:LOGIN``, ``admin:LOGIN``, ``cli:USER``...).
    :param end_live_calls: also hang up the calls going on.
    :raises DialerError: ``bad_switch`` without ``by``.
    """
    return _set(session, True, by, reason, end_live_calls, now or utc_now())


def resume_dialing(session: Session, by: str, reason: str = "", *,
                   now: dt.datetime | None = None) -> SwitchState:
    """Let dialing go on again.

    :raises DialerError: ``bad_switch`` without ``by``.
    """
    return _set(session, False, by, reason, False, now or utc_now())


def _set(session: Session, stopped: bool, by: str, reason: str, end_live_calls: bool,
         now: dt.datetime) -> SwitchState:
    if not by.strip():
        raise DialerError("bad_switch", "say who stops or resumes dialing")
    row = session.get(DialingSwitch, SWITCH_ROW, with_for_update=True)
    was = row.stopped if row is not None else False
    if row is None:
        row = DialingSwitch(id=SWITCH_ROW)
        session.add(row)
    row.stopped, row.end_live_calls = stopped, end_live_calls and stopped
    row.changed_at, row.changed_by, row.reason = now, by.strip()[:60], reason.strip()[:200]
    session.flush()
    if was != stopped or end_live_calls:
        kind = "dialing_stopped" if stopped else "dialing_resumed"
        data = {"reason": row.reason, "end_live_calls": row.end_live_calls}
        for campaign_id in session.scalars(select(Campaign.id).where(
                Campaign.state != CampaignState.FINISHED).order_by(Campaign.id)):
            trace.defer(session, campaign_id, [trace.Entry(kind, row.changed_by, now,
                                                           data=data)])
    return SwitchState(row.stopped, row.end_live_calls, row.changed_at, row.changed_by,
                       row.reason)
