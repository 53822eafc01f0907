"""One attempt's call by third-party call control (RFC 3725): the dialer rings the agent's phone,
then the respondent through the trunk, and joins their media by relaying SDP (:mod:`sip_sdp`).
Neither party dials the other, and each sees only the dialer as the other end of its dialog.

1. INVITE to the agent's phone without SDP; its 200 OK offers; ACK with an on-hold answer.
2. The number is resolved (and re-checked) by the dialer at that instant, the request URI built
   from the parsed E.164 number alone; INVITE to the trunk with the agent's offer. A 503 or no
   response at all is retried (``retries``, after Retry-After up to a limit); at the no-answer
   time-out, or when dialing is stopped, the INVITE is cancelled.
3. On 200 OK: ACK; re-INVITE the agent's phone with the respondent's description; the call is
   live. (Should the phone answer with other media, the respondent gets a re-INVITE too.)
4. A BYE from either party ends the call: the other leg gets a BYE. So does the maximum call
   duration, the call desk hanging up, and the stop-all switch.

Every step is a :class:`~dialer.telephony.base.CallEvent` on the call's own clock: the ``now``
the caller gave plus the time elapsed since.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import time
import uuid
from typing import Any

import phonenumbers
from aiosipua import SipDigestAuth
from aiosipua.sdp import SdpMessage

from dialer.errors import DialerError
from dialer.telephony.base import CallEvent, DialRefused, NetworkEnding
from dialer.telephony.sip_leg import InviteResult, Leg
from dialer.telephony.sip_options import HostPort, SipOptions
from dialer.telephony.sip_sdp import OwnOrigin, SdpError, hold_answer, parsed, relayed, same_media
from dialer.telephony.sip_status import RETRIED_STATUSES, ending_for_status
from dialer.telephony.sip_transport import Address, SipEndpoint

_E164 = re.compile(r"\+[1-9][0-9]{1,14}")


def respondent_uri(number: str, domain: str) -> str:
    """The request URI for a resolved number: ``sip:+E164@domain;user=phone``, built from the
    number as ``phonenumbers`` parses it and nothing else.

    :raises DialerError: ``bad_number`` if the number does not parse to itself in E.164.
    """
    try:
        e164 = phonenumbers.format_number(phonenumbers.parse(number, None),
                                          phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        e164 = ""
    if e164 != number or not _E164.fullmatch(e164):
        raise DialerError("bad_number", "the number resolver returned something not E.164")
    return f"sip:{e164}@{domain};user=phone"


class SipCall:
    """The two legs of one attempt and the events of its call (module docstring)."""

    def __init__(self, attempt_id: int, endpoint: SipEndpoint, options: SipOptions,
                 proxy: Address, start: dt.datetime) -> None:
        self.attempt_id = attempt_id
        self.endpoint = endpoint
        self.options = options
        self.proxy = proxy
        self.start = start
        self._t0 = time.monotonic()
        #: Events of the set-up, then (once ``setup_done``) events of the live call.
        self.events: list[CallEvent] = []
        self.later: list[CallEvent] = []
        self.setup_done = False
        self.withdraw = asyncio.Event()
        self.agent: Leg | None = None
        self.respondent: Leg | None = None
        self.answered_at: dt.datetime | None = None
        self.hangup: CallEvent | None = None
        self.on_network_end: Any = None
        self._agent_offer: SdpMessage | None = None
        session = str(uuid.uuid4().int % 10**12)
        host = endpoint.local[0]
        self._agent_origin = OwnOrigin(session, host)
        self._respondent_origin = OwnOrigin(session, host)
        self._max_timer: asyncio.TimerHandle | None = None
        self._ending_task: asyncio.Task[None] | None = None

    def now(self) -> dt.datetime:
        """The call's clock: the caller's instant plus the time elapsed, to the millisecond,
        and never before the hang-up once there is one (the caller may name its instant)."""
        elapsed = round(time.monotonic() - self._t0, 3)
        moment = self.start + dt.timedelta(seconds=elapsed)
        return max(moment, self.hangup.at) if self.hangup is not None else moment

    def record(self, kind: str, **data: Any) -> None:
        (self.later if self.setup_done else self.events).append(CallEvent(kind, self.now(), data))

    # --- step 1: the agent's phone ---------------------------------------------------------
    async def ring_agent(self, uri: str, address: HostPort, ring_seconds: float) -> None:
        """Bring the agent's phone on line, on hold.

        :raises DialRefused: ``agent_phone_unavailable`` when it does not answer or its offer is
            unusable; nothing has been resolved or dialed then.
        """
        leg = Leg(self.endpoint, self, "agent", target=uri, destination=(address.host,
                  address.port), from_uri=self._own_uri(), on_peer_bye=self._peer_bye)
        self.agent = leg
        result = await leg.invite(None, ring_seconds, self.withdraw)
        if 200 <= result.status < 300:
            try:
                self._agent_offer = parsed(result.sdp or "")
            except SdpError:
                leg.send_ack(None)
                await leg.bye()
                raise DialRefused("agent_phone_unavailable", f"attempt {self.attempt_id}: "
                                  "the agent's phone offered no usable audio") from None
            leg.send_ack(hold_answer(self._agent_offer, self._agent_origin))
            return
        why = "stopped" if self.withdraw.is_set() else (
            "did not answer" if result.timed_out or result.cancelled
            else f"answered {result.status}")
        raise DialRefused("dialing_stopped" if self.withdraw.is_set()
                          else "agent_phone_unavailable",
                          f"attempt {self.attempt_id}: the agent's phone {why}")

    async def release_agent(self) -> None:
        """Hang up the agent's phone when the respondent is not called after all."""
        if self.agent is not None:
            await self.agent.bye()

    # --- step 2 and 3: the respondent ------------------------------------------------------
    async def dial_respondent(self, request_uri: str, ring_seconds: float
                              ) -> tuple[NetworkEnding, dict[str, Any]]:
        """Call the respondent and, once answered, join the agent's phone to the call.

        :returns: the network ending and the data of its summary event.
        """
        assert self._agent_offer is not None
        auth = (SipDigestAuth(self.options.username, self.options.password)
                if self.options.username and self.options.password else None)
        first_invite = time.monotonic()
        result = InviteResult(0)
        for attempt in range(1 + self.options.retries):
            if self.agent is not None and self.agent.ended:
                self.withdraw.set()  # the agent hung up: the respondent is not called
            leg = Leg(self.endpoint, self, "respondent", target=request_uri,
                      destination=self.proxy, from_uri=self._own_uri(self.options.domain),
                      auth=auth, on_peer_bye=self._peer_bye)
            self.respondent = leg
            result = await leg.invite(relayed(self._agent_offer, self._respondent_origin),
                                      ring_seconds, self.withdraw)
            retry = not result.cancelled and (result.timed_out
                                              or result.status in RETRIED_STATUSES)
            if not retry or attempt == self.options.retries or self.withdraw.is_set():
                break
            delay = min(result.retry_after or self.options.t1,
                        self.options.retry_after_max_seconds)
            self.record("sip_retry", leg="respondent", after_s=delay, status=result.status)
            await asyncio.sleep(delay)
        data: dict[str, Any] = {"after_s": round(time.monotonic() - first_invite, 3)}
        if result.status:
            data["status"] = result.status
        if result.cancelled:
            ending = NetworkEnding.WITHDRAWN if self.withdraw.is_set() \
                else NetworkEnding.NO_ANSWER
            data["cancelled"] = True
        elif result.timed_out:
            ending = NetworkEnding.NETWORK_FAILURE
            data["timed_out"] = True
        elif 200 <= result.status < 300:
            ending = await self._join(result, data)
        else:
            ending = ending_for_status(result.status)
        if ending is not NetworkEnding.ANSWERED:
            await self.release_agent()
        return ending, data

    async def _join(self, answer: InviteResult, data: dict[str, Any]) -> NetworkEnding:
        """Acknowledge the respondent's 200 OK and give the agent's phone its media."""
        respondent, agent = self.respondent, self.agent
        assert respondent is not None and agent is not None
        respondent.send_ack(None)
        try:
            description = parsed(answer.sdp or "")
        except SdpError:
            await respondent.bye()
            data["failure"] = "respondent_sdp"
            return NetworkEnding.NETWORK_FAILURE
        joined = InviteResult(0) if agent.ended else await agent.reinvite(
            relayed(description, self._agent_origin))
        if not 200 <= joined.status < 300:
            await respondent.bye()
            await agent.bye()
            data["failure"] = "agent_phone_lost"
            return NetworkEnding.NETWORK_FAILURE
        if joined.sdp and self._agent_offer is not None:
            try:
                media = parsed(joined.sdp)
            except SdpError:
                media = self._agent_offer
            if not same_media(media, self._agent_offer):
                await respondent.reinvite(relayed(media, self._respondent_origin))
        self.answered_at = self.now()
        return NetworkEnding.ANSWERED

    # --- step 4: the end -------------------------------------------------------------------
    def live(self, max_seconds: float) -> None:
        """The call is answered: from now on events are the live call's; hang up by the system
        after ``max_seconds``."""
        self.setup_done = True
        loop = asyncio.get_running_loop()
        self._max_timer = loop.call_later(max_seconds, self._overdue)

    def _overdue(self) -> None:
        self._ending_task = asyncio.ensure_future(self.end("system", self.now(),
                                                           reason="max_duration"))

    def _peer_bye(self, leg: Leg) -> None:
        if not self.setup_done:
            self.withdraw.set()  # a phone hung up during the set-up: stop it
            return
        by = "respondent" if leg.role == "respondent" else "agent"
        self._ending_task = asyncio.ensure_future(self.end(by, self.now(), reason="hung_up"))

    async def end(self, by: str, at: dt.datetime, *, reason: str | None = None) -> None:
        """Hang the call up (once): the ``hangup`` event, then BYE to every leg still up."""
        if self.hangup is not None:
            return
        if self._max_timer is not None:
            self._max_timer.cancel()
        answered = self.answered_at or at
        at = max(at, answered)
        data: dict[str, Any] = {"by": by, "talk_s": round((at - answered).total_seconds(), 3)}
        if reason is not None:
            data["reason"] = reason
        self.hangup = CallEvent("hangup", at, data)
        for leg in (self.respondent, self.agent):
            if leg is not None:
                await leg.bye()
        if reason is not None and self.on_network_end is not None:
            self.on_network_end(self)

    def _own_uri(self, host: str | None = None) -> str:
        local_host, port = self.endpoint.local
        where = host or f"{local_host}:{port}"
        return f"sip:{self.options.caller_id}@{where}"
