"""Ending connected calls the agent did not end: overdue calls, calls the network ended (a party
hung up, a leg lost), and every call when the stop-all-dialing switch is thrown.

Each is ended through :meth:`dialer.calls.CallDesk.end`, so it is hung up, coded and traced like
any other: with the interview's own outcome when the questionnaire reached one during the call,
as a break-off otherwise (partial from half the questions, :mod:`dialer.outcomes`).

The stop-all switch (:mod:`dialer.dialing_switch`, a database flag thrown from the command line
or the supervisor's desk) is watched by every dialer worker (:mod:`dialer.worker`), which calls
:func:`stop_all_dialing` when it is thrown with its live calls to end, and
``backend.resume_dialing()`` when it is lifted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import select

from dialer.call_endings import INTERVIEW_OUTCOMES
from dialer.db import transaction
from dialer.errors import DialerError
from dialer.models import Attempt, Campaign, Interview, utc_now
from dialer.outcomes import CallEnding

if TYPE_CHECKING:
    from dialer.calls import CallDesk


#: A connected call: attempt, connected at, maximum minutes, interview outcome, reached in.
Connected = tuple[int, dt.datetime | None, int, str | None, int | None]


def _connected(desk: CallDesk) -> list[Connected]:
    """The connected calls not ended: attempt, connection instant, maximum minutes, and the
    interview's outcome with the attempt it was reached in."""
    with transaction(desk.engine) as session:
        return [(row[0], row[1], row[2], row[3], row[4]) for row in session.execute(
            select(Attempt.id, Attempt.connected_at, Campaign.max_call_minutes,
                   Interview.outcome, Interview.ended_attempt_id)
            .join(Campaign, Campaign.id == Attempt.campaign_id)
            .outerjoin(Interview, Interview.contact_id == Attempt.contact_id)
            .where(Attempt.connected_at.is_not(None), Attempt.ended_at.is_(None)))]


def _end_where(desk: CallDesk, moment: dt.datetime,
               why: Callable[[Connected], tuple[str, str] | None]) -> list[int]:
    """End each connected call ``why`` gives (who, reason) for; one another process ended
    meanwhile is passed over, and so is one whose connection is still to come (a backend
    that reports instants ahead: it is ended by a later pass, once connected).
    :returns: the attempts ended."""
    ended = []
    for row in _connected(desk):
        if row[1] is not None and row[1] > moment:
            continue
        reasons = why(row)
        if reasons is None:
            continue
        by, reason = reasons
        attempt_id, _connected_at, _minutes, outcome, ended_in = row
        decided = INTERVIEW_OUTCOMES.get(outcome or "") if ended_in == attempt_id else None
        try:
            desk.end(attempt_id, decided or CallEnding.BREAK_OFF, moment, by=by, reason=reason)
        except DialerError as error:
            if error.code != "attempt_ended":
                raise
            continue
        ended.append(attempt_id)
    return ended


def hang_up_overdue(desk: CallDesk, now: dt.datetime | None = None) -> list[int]:
    """Hang up every connected call that has lasted its campaign's maximum duration, by the
    system (reason ``max_duration``). :returns: the attempts ended."""
    moment = now or utc_now()

    def overdue(row: Connected) -> tuple[str, str] | None:
        connected, minutes = row[1], row[2]
        if connected is None or connected + dt.timedelta(minutes=minutes) > moment:
            return None
        return "system", "max_duration"
    return _end_where(desk, moment, overdue)


def end_dropped_calls(desk: CallDesk, now: dt.datetime | None = None) -> list[int]:
    """End the connected calls the network ended on its own, by the party that hung up (the
    respondent, the agent's phone, or the system), with the backend's reason (``hung_up``,
    ``max_duration``, ``stop_all``...). :returns: the attempts ended."""
    moment = now or utc_now()
    dropped = desk.backend.ended_calls()

    def gone(row: Connected) -> tuple[str, str] | None:
        event = dropped.get(row[0])
        if event is None:
            return None
        return str(event.data.get("by", "system")), str(event.data.get("reason", "hung_up"))
    return _end_where(desk, moment, gone)


def stop_all_dialing(desk: CallDesk, now: dt.datetime | None = None) -> list[int]:
    """The stop-all-dialing switch with its live calls ended: this process's backend refuses
    new calls, withdraws those being set up and hangs up its live ones, and every connected
    call in the database is ended by the system (reason ``stop_all``), whichever process
    placed it (the others hang theirs up when they see the switch, :mod:`dialer.worker`).

    :returns: the attempts ended.
    """
    moment = now or utc_now()
    desk.backend.stop_all(moment)
    return _end_where(desk, moment, lambda _row: ("system", "stop_all"))
