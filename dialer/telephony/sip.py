"""The ``sip`` telephony backend: real calls through a SIP trunk, the agent's phone joined to each
by third-party call control (:mod:`dialer.telephony.sip_call`).

The signalling runs on an asyncio loop in a thread of its own, started with the first call; the
backend's methods are called from the call desk's threads and wait for the loop. The number of a
call is asked from the dialer's resolver only once the agent's phone is on line, right before
the INVITE to the trunk, and the request URI is built from the parsed E.164 number alone. A
number is never put in an event, a log line or an error.

Options are in :mod:`dialer.telephony.sip_options`; SIP final responses map to network endings,
and so to AAPOR codes, in :mod:`dialer.telephony.sip_status`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import socket
import threading
from collections.abc import Coroutine, Mapping
from typing import Any, ClassVar, Self, TypeVar

from dialer.errors import DialerError
from dialer.telephony.base import (
    CallEvent,
    CallSetup,
    DialRefused,
    NetworkEnding,
    NumberResolver,
    TelephonyBackend,
    check_hangup_party,
    check_number,
    utc,
)
from dialer.telephony.sip_call import SipCall, respondent_uri
from dialer.telephony.sip_options import SipOptions, options_from_table
from dialer.telephony.sip_transport import Address, SipEndpoint

logger = logging.getLogger(__name__)
T = TypeVar("T")

#: Seconds a hang-up or stop may take (two BYEs, each at most 64*T1) beyond the signalling.
_MARGIN = 5.0


class SipBackend(TelephonyBackend):
    """Calls over SIP (module docstring)."""

    name: ClassVar[str] = "sip"

    def __init__(self, options: SipOptions) -> None:
        self.options = options
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._endpoint: SipEndpoint | None = None
        self._proxy: Address | None = None
        self._lock = threading.Lock()
        self._calls: dict[int, SipCall] = {}     # being set up, or live
        self._ended: dict[int, SipCall] = {}     # ended by the network, not hung up yet
        self._leftover: dict[int, list[CallEvent]] = {}  # events after the hang-up, not taken

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> Self:
        """Build from the ``[telephony.sip]`` table (:mod:`dialer.telephony.sip_options`).

        :raises DialerError: ``backend_options`` naming the option that is unknown or wrong.
        """
        return cls(options_from_table(options))

    # --- the loop ------------------------------------------------------------------------
    @property
    def local_address(self) -> Address:
        """Where the backend sends from and listens (after the first call or :meth:`start`)."""
        self.start()
        assert self._endpoint is not None
        return self._endpoint.local

    def start(self) -> None:
        """Open the socket and start the signalling thread (done by the first call anyway).

        :raises DialerError: ``sip_start`` when the listen address cannot be bound or the proxy
            not resolved.
        """
        with self._lock:
            if self._loop is not None:
                return
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, name="sip-backend", daemon=True)
            thread.start()
            self._loop, self._thread = loop, thread
        try:
            self._endpoint = self._run(self._open(), 30)
        except (OSError, DialerError) as error:
            self.close()
            raise DialerError("sip_start", f"the SIP backend cannot start: {error}") from None

    async def _open(self) -> SipEndpoint:
        endpoint = SipEndpoint(self.options.t1)
        listen, proxy = self.options.listen, self.options.proxy
        await endpoint.open(listen.host, listen.port)
        found = await asyncio.get_running_loop().getaddrinfo(
            proxy.host, proxy.port, family=socket.AF_INET, type=socket.SOCK_DGRAM)
        self._proxy = (str(found[0][4][0]), int(found[0][4][1]))
        return endpoint

    def _run(self, coroutine: Coroutine[Any, Any, T], timeout: float) -> T:
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    # --- placing a call --------------------------------------------------------------------
    def place_call(self, attempt_id: int, resolve: NumberResolver, now: dt.datetime, *,
                   campaign: str, no_answer_timeout: dt.timedelta,
                   agent: str | None = None,
                   max_duration: dt.timedelta | None = None) -> CallSetup:
        """Ring the agent's phone, then the respondent; see :meth:`TelephonyBackend.place_call`.

        :raises DialRefused: also ``agent_phone_unavailable`` (the phone did not answer: the
            number was not resolved), ``no_extension`` or ``bad_agent`` (no phone to ring).
        :raises DialerError: ``call_in_progress`` if the attempt has a call already,
            ``no_answer_timeout`` if the timeout is not positive.
        """
        self.refuse_if_stopped(attempt_id)
        start = utc(now)
        ring = no_answer_timeout.total_seconds()
        if ring <= 0:
            raise DialerError("no_answer_timeout", "the no-answer timeout must be positive")
        try:
            extension, address = self.options.extension_of(agent)
        except DialerError as error:
            raise DialRefused(error.code, f"attempt {attempt_id}: {error.message}") from None
        self.start()
        assert self._endpoint is not None and self._proxy is not None
        call = self._run(self._new_call(attempt_id, start), 5)
        with self._lock:
            if attempt_id in self._calls or attempt_id in self._ended:
                raise DialerError("call_in_progress", f"attempt {attempt_id} is already on a call")
            self._calls[attempt_id] = call
        try:
            return self._place(call, resolve, campaign, ring, extension, address, max_duration)
        except DialRefused as refusal:
            refusal.events = tuple(call.events)
            with self._lock:
                self._calls.pop(attempt_id, None)
            raise
        except BaseException:
            with self._lock:
                if self._calls.get(attempt_id) is call and call.answered_at is None:
                    del self._calls[attempt_id]
            raise

    async def _new_call(self, attempt_id: int, start: dt.datetime) -> SipCall:
        assert self._endpoint is not None and self._proxy is not None
        call = SipCall(attempt_id, self._endpoint, self.options, self._proxy, start)
        call.on_network_end = self._network_ended
        return call

    def _place(self, call: SipCall, resolve: NumberResolver, campaign: str, ring: float,
               extension: str, address: Any, max_duration: dt.timedelta | None) -> CallSetup:
        t1 = self.options.t1
        call.record("dial_requested", backend=self.name, campaign=campaign,
                    no_answer_timeout_s=ring)
        self._run(call.ring_agent(extension, address, self.options.agent_answer_seconds),
                  self.options.agent_answer_seconds + 130 * t1 + _MARGIN)
        try:
            number = check_number(resolve(call.attempt_id, call.now()))
            uri = respondent_uri(number, self.options.domain)
        except BaseException:
            self._run(call.release_agent(), 70 * t1 + _MARGIN)
            raise
        del number  # from here on only the request URI, inside the INVITE, holds it
        tries = 1 + self.options.retries
        budget = tries * (ring + 130 * t1 + self.options.retry_after_max_seconds) + _MARGIN
        ending, data = self._run(call.dial_respondent(uri, ring), budget)
        del uri
        limit = (max_duration.total_seconds() if max_duration is not None
                 else self.options.max_call_seconds)
        self._run(self._conclude(call, ending, data, limit), 5)
        logger.info("sip attempt %d of %s: %s", call.attempt_id, campaign, ending.value)
        events = tuple(call.events)
        if ending is not NetworkEnding.ANSWERED:
            with self._lock:
                self._calls.pop(call.attempt_id, None)
            return CallSetup(call.attempt_id, ending, events, answered_at=None,
                             ended_at=events[-1].at)
        return CallSetup(call.attempt_id, ending, events, answered_at=call.answered_at,
                         ended_at=None)

    async def _conclude(self, call: SipCall, ending: NetworkEnding, data: dict[str, Any],
                        max_seconds: float) -> None:
        """The summary event of the set-up; an answered call goes live (in the loop, so no
        event of the live call can slip into the set-up's)."""
        call.record(ending.value, **data)
        if ending is NetworkEnding.ANSWERED:
            call.live(max_seconds)

    def _network_ended(self, call: SipCall) -> None:
        with self._lock:
            if self._calls.get(call.attempt_id) is call:
                del self._calls[call.attempt_id]
                self._ended[call.attempt_id] = call

    # --- live calls ----------------------------------------------------------------------
    def hang_up(self, attempt_id: int, now: dt.datetime, *, by: str) -> CallEvent:
        """End a live call; see :meth:`TelephonyBackend.hang_up`. A call the network ended
        already (a party hung up, the maximum duration, stop-all) gives its own ``hangup``.

        :raises DialerError: ``no_live_call`` unless the attempt has an answered call.
        """
        check_hangup_party(by)
        end = utc(now)
        with self._lock:
            call = self._ended.pop(attempt_id, None)
            if call is None:
                call = self._calls.get(attempt_id)
                if call is None or call.answered_at is None:
                    raise DialerError("no_live_call", f"attempt {attempt_id} has no live call")
        if call.hangup is None:
            self._run(call.end(by, end), 140 * self.options.t1 + _MARGIN)
        leftover = self._run(self._take_later(call), 5)
        with self._lock:
            self._calls.pop(attempt_id, None)
            self._leftover[attempt_id] = list(leftover)
        assert call.hangup is not None
        return call.hangup

    def call_events(self, attempt_id: int) -> tuple[CallEvent, ...]:
        """The events of a live (or just ended) call since it was answered, each given once."""
        with self._lock:
            leftover = self._leftover.pop(attempt_id, None)
            call = self._calls.get(attempt_id) or self._ended.get(attempt_id)
        if leftover is not None:
            return tuple(leftover)
        if call is None or self._loop is None:
            return ()
        return self._run(self._take_later(call), 5)

    @staticmethod
    async def _take_later(call: SipCall) -> tuple[CallEvent, ...]:
        taken = tuple(call.later)
        call.later.clear()
        return taken

    def live_calls(self) -> list[int]:
        with self._lock:
            return sorted(i for i, call in self._calls.items() if call.answered_at is not None)

    def ended_calls(self) -> dict[int, CallEvent]:
        with self._lock:
            return {attempt_id: call.hangup for attempt_id, call in sorted(self._ended.items())
                    if call.hangup is not None}

    def stop_all(self, now: dt.datetime) -> list[int]:
        """Refuse new calls, cancel the calls being set up, hang up the live ones (by the
        system, reason ``stop_all``); :meth:`hang_up` then returns their ``hangup``."""
        self.dialing_stopped = True
        if self._loop is None:
            return []
        with self._lock:
            calls = list(self._calls.values())
        stopped = []
        for call in calls:
            if call.answered_at is None:
                self._loop.call_soon_threadsafe(call.withdraw.set)
                continue
            self._run(call.end("system", call.now(), reason="stop_all"),
                      140 * self.options.t1 + _MARGIN)
            stopped.append(call.attempt_id)
        return sorted(stopped)

    def close(self) -> None:
        """Hang up every call, close the socket and stop the signalling thread."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        with self._lock:
            calls = list(self._calls.values())
        for call in calls:
            loop.call_soon_threadsafe(call.withdraw.set)
            if call.answered_at is not None and call.hangup is None:
                try:
                    self._run(call.end("system", call.now(), reason="closed"),
                              140 * self.options.t1 + _MARGIN)
                except (TimeoutError, RuntimeError):
                    logger.warning("sip attempt %d: no clean hang-up at close", call.attempt_id)
        if self._endpoint is not None:
            loop.call_soon_threadsafe(self._endpoint.close)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        if not thread.is_alive():
            loop.close()
        with self._lock:
            self._loop = self._thread = None
            self._endpoint = None
            self._calls.clear()
            self._ended.clear()
            self._leftover.clear()
