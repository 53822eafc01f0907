"""The dialer's continuous work, for a worker process (``survey-engine worker``) and for the
web console's "ready" button alike.

Each pass (:meth:`DialingService.run_once`):

1. reads the stop-all-dialing switch; while it is on, nothing is dialed, and the calls going
   on are hung up when the stop asked for it;
2. marks away the waiting agents whose console has gone silent, when the service is told to
   look (:mod:`dialer.presence`: ``survey-engine worker`` does, for agents on the web console);
3. serves the agents waiting for a call, the one idle longest first
   (:meth:`dialer.dispatch.Dispatcher.serve_waiting`): each claim becomes the agent's attempt,
   dialed at once in progressive mode (in preview mode the agent reads the case and presses
   call); an agent whose call was not answered waits again from the moment it ended;
4. hangs up the calls that have lasted their campaign's maximum duration.

Any number of workers may run side by side: claims are atomic and every call step locks what
it changes. Each step is its own transaction (the dispatcher's and the call desk's).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass, field

from sqlalchemy import Engine

from dialer.calls import CallCase, CallDesk
from dialer.db import transaction
from dialer.dialing_switch import SwitchState, dialing_state
from dialer.dispatch import Claim, Dispatcher
from dialer.errors import DialerError
from dialer.models import DialingMode, utc_now
from dialer.presence import release_absent_agents
from dialer.telephony.base import TelephonyBackend

logger = logging.getLogger(__name__)

#: How often a worker looks for waiting agents, the switch and overdue calls.
DEFAULT_INTERVAL = dt.timedelta(seconds=1)
#: How long a worker waits after a pass that failed (the database went away...).
ERROR_PAUSE = dt.timedelta(seconds=5)


@dataclass
class PassReport:
    """What one pass did."""

    stopped: bool = False
    served: list[int] = field(default_factory=list)
    dialed: list[int] = field(default_factory=list)
    hung_up: list[int] = field(default_factory=list)
    #: Agents marked away because no console of theirs was seen (:mod:`dialer.presence`).
    absent: list[int] = field(default_factory=list)


class DialingService:
    """Gives waiting agents their calls and keeps calls within their rules, on one database
    and one telephony backend."""

    def __init__(self, engine: Engine, backend: TelephonyBackend, *,
                 dispatcher: Dispatcher | None = None, desk: CallDesk | None = None,
                 presence: dt.timedelta | None = None) -> None:
        """:param presence: when given, a waiting agent with no web session seen within it
            is marked away before each pass serves anyone (agents on the web console); None
            for agents who wait without one (the tests' and the simulator's)."""
        self.engine = engine
        self.presence = presence
        self.dispatcher = dispatcher or Dispatcher(engine)
        self.desk = desk or CallDesk(engine, backend)

    def serve_agent(self, agent_id: int, now: dt.datetime | None = None) -> CallCase | None:
        """Give one ready agent their next call now, if there is one (the web console does
        this when the agent presses ready, so as not to wait for a worker's pass).

        :raises DialerError: ``agent_unknown``, ``off_shift``.
        """
        claim = self.dispatcher.next_call(agent_id, now)
        return self.place(claim, now) if claim is not None else None

    def place(self, claim: Claim, now: dt.datetime | None = None) -> CallCase | None:
        """Turn a claim into the agent's attempt and, in progressive mode, dial it. A claim
        for an agent who meanwhile has another call is given back (None)."""
        try:
            case = self.desk.open_attempt(claim, now)
        except DialerError as error:
            if error.code not in ("agent_busy", "not_held"):
                raise
            self.dispatcher.release(claim)
            return None
        if case.mode == DialingMode.PROGRESSIVE.value:
            self.dial(case.attempt_id, claim.agent_id, now)
        return case

    def dial(self, attempt_id: int, agent_id: int, now: dt.datetime | None = None) -> bool:
        """Dial an attempt; True when answered. An agent whose call was refused or not
        answered waits again from the moment the call was over."""
        self._backend_follows_switch()
        result = self.desk.dial(attempt_id, now)
        if not result.answered:
            self.dispatcher.mark_ready(agent_id, result.ended_at or now or utc_now())
        return result.answered

    def _backend_follows_switch(self, switch: SwitchState | None = None) -> None:
        """A backend this process stopped (all dialing stopped with the calls going on) dials
        again once the switch is lifted, whichever process lifted it."""
        if not self.desk.backend.dialing_stopped:
            return
        if switch is None:
            with transaction(self.engine) as session:
                switch = dialing_state(session)
        if not switch.stopped:
            self.desk.backend.resume_dialing()

    def run_once(self, now: dt.datetime | None = None) -> PassReport:
        """One pass of the worker (module docstring)."""
        report = PassReport()
        with transaction(self.engine) as session:
            switch = dialing_state(session)
        if switch.stopped:
            report.stopped = True
            if switch.end_live_calls:
                report.hung_up = self.desk.stop_all_dialing(now)
            return report
        self._backend_follows_switch(switch)
        if self.presence is not None:
            with transaction(self.engine) as session:
                report.absent = release_absent_agents(session, now or utc_now(), self.presence)
        for claim in self.dispatcher.serve_waiting(now):
            case = self.place(claim, now)
            if case is not None:
                report.served.append(claim.agent_id)
                if case.mode == DialingMode.PROGRESSIVE.value:
                    report.dialed.append(case.attempt_id)
        report.hung_up = self.desk.hang_up_overdue(now)
        return report


def run_worker(service: DialingService, stop: threading.Event,
               interval: dt.timedelta = DEFAULT_INTERVAL) -> int:
    """Run passes until ``stop`` is set; the number of passes made. A failing pass is logged
    and tried again after :data:`ERROR_PAUSE`, so a database restart does not end the worker.
    """
    passes = 0
    while not stop.is_set():
        try:
            report = service.run_once()
        except Exception:  # a worker outlives one bad pass; it is logged
            logger.exception("dialer pass failed; trying again in %s", ERROR_PAUSE)
            stop.wait(ERROR_PAUSE.total_seconds())
            continue
        passes += 1
        if report.absent:
            logger.info("marked away %d waiting agents whose console was not seen",
                        len(report.absent))
        if report.served or report.hung_up:
            logger.info("served %d agents, dialed %d calls, hung up %d", len(report.served),
                        len(report.dialed), len(report.hung_up))
        stop.wait(interval.total_seconds())
    return passes
