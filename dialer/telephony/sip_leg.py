"""One leg of a call: the dialog the dialer, as user agent client, has with the respondent (through
the trunk) or with the agent's phone.

A leg sends its INVITE (answering a 401/407 challenge once with the trunk's credentials), reads
provisional and final responses, cancels at the no-answer time-out or when dialing is stopped,
acknowledges a 2xx (with SDP when the offer came in it), sends re-INVITEs and BYE, and answers
what the peer sends inside the dialog: a BYE ends the leg, a session refresh is accepted, a REFER
(a transfer somewhere else) is always refused, anything else gets the status RFC 3261 asks for.
Every step is recorded through :class:`StepRecorder` for the call trace, without URIs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from aiosipua import SipDigestAuth, SipRequest, SipResponse
from aiosipua.auth import answer_challenge
from aiosipua.dialog import Dialog
from aiosipua.headers import stringify_uri
from aiosipua.utils import generate_branch, generate_call_id, generate_tag

from dialer.telephony.sip_status import reason_for
from dialer.telephony.sip_transport import Address, ClientTransaction, SipEndpoint, response_to

logger = logging.getLogger(__name__)


class StepRecorder(Protocol):
    """Where a leg writes the SIP steps of its call."""

    def record(self, kind: str, **data: Any) -> None:
        """Add one trace event of ``kind`` with ``data`` (never a number or URI)."""


@dataclass
class InviteResult:
    """How an INVITE ended: ``status`` of the final response (0 for none), its SDP, whether it
    timed out with no response at all or was cancelled by the dialer."""

    status: int
    sdp: str | None = None
    timed_out: bool = False
    cancelled: bool = False
    retry_after: float | None = None


class Leg:
    """One dialog, the dialer being the client (module docstring)."""

    def __init__(self, endpoint: SipEndpoint, steps: StepRecorder, role: str, *, target: str,
                 destination: Address, from_uri: str, auth: SipDigestAuth | None = None,
                 on_peer_bye: Callable[[Leg], None] | None = None) -> None:
        self.endpoint = endpoint
        self.steps = steps
        self.role = role
        self.destination = destination
        self.auth = auth
        self.on_peer_bye = on_peer_bye
        host = endpoint.local[0]
        self.dialog = Dialog(call_id=generate_call_id(host), local_tag=generate_tag(),
                             local_uri=from_uri, remote_uri=target, remote_target=target)
        self.invite_cseq = 0
        self.last_ack: SipRequest | None = None
        #: The SDP this side last sent in the dialog (what a session refresh is answered with).
        self.local_sdp: str | None = None
        self.confirmed = False
        self.ended = False
        self.ended_by_peer = False
        endpoint.attach(self.dialog.call_id, self)

    @property
    def call_id(self) -> str:
        return self.dialog.call_id

    def record(self, kind: str, **data: Any) -> None:
        self.steps.record(kind, leg=self.role, **data)

    # --- the INVITE ----------------------------------------------------------------------
    async def invite(self, sdp: str | None, ring_timeout: float,
                     withdraw: asyncio.Event) -> InviteResult:
        """Send the INVITE and wait for its final response, at most ``ring_timeout`` seconds
        from now; cancel it then, or as soon as ``withdraw`` is set."""
        transaction = self._send_invite(sdp, authorization=None)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + ring_timeout
        rang = False
        while True:
            response = await _next(transaction, deadline - loop.time(), withdraw)
            if response is None:
                reason = "withdrawn" if withdraw.is_set() else "no_answer_timeout"
                return await self._cancel(transaction, reason)
            if transaction.timed_out:
                self.record("sip_timeout", method="INVITE", timer="B")
                return InviteResult(0, timed_out=True)
            status = response.status_code
            if status < 200:
                self.record("sip_provisional", status=status, reason=reason_for(status))
                if status in (180, 183) and not rang:
                    rang = True
                    self.steps.record("ringing" if self.role == "respondent" else
                                      "agent_ringing")
                continue
            self._final(response, "INVITE")
            if status in (401, 407) and self.auth is not None and transaction.request.headers \
                    .get_first("proxy-authorization" if status == 407 else "authorization") \
                    is None:
                header = answer_challenge(self.auth, response, status, "INVITE",
                                          transaction.request.uri)
                if header is not None:
                    self.record("sip_auth", status=status)
                    transaction = self._send_invite(sdp, authorization=header)
                    continue
            if status >= 300:
                return InviteResult(status, retry_after=_retry_after(response))
            return self._answered(response)

    def _send_invite(self, sdp: str | None, *, authorization: tuple[str, str] | None
                     ) -> ClientTransaction:
        self.invite_cseq = self.dialog.next_cseq()
        invite = self._request("INVITE", self.dialog.remote_uri, to_tag=False)
        invite.headers.set_single("Contact", self._contact())
        invite.headers.set_single("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS")
        invite.headers.set_single("User-Agent", "survey-engine")
        if authorization is not None:
            invite.headers.set_single(*authorization)
        if sdp is not None:
            invite.text = sdp
            invite.headers.set_single("Content-Type", "application/sdp")
            self.local_sdp = sdp
        transaction = self.endpoint.start(invite, self.destination)
        self.record("sip_invite", call_id=self.call_id, sdp=sdp is not None,
                    auth=authorization is not None)
        return transaction

    def _answered(self, response: SipResponse) -> InviteResult:
        to = response.to_addr
        self.dialog.remote_tag = (to.tag if to else None) or ""
        contacts = response.contact
        if contacts and contacts[0].uri is not None:
            # The request URI of what follows; it is still sent to the same next hop.
            self.dialog.remote_target = stringify_uri(contacts[0].uri)
        self.dialog.route_set = list(reversed(response.headers.get("record-route")))
        self.dialog.confirm()
        self.confirmed = True
        body = response.text if response.body else None
        return InviteResult(response.status_code, sdp=body)

    async def _cancel(self, transaction: ClientTransaction, reason: str) -> InviteResult:
        """CANCEL a pending INVITE (once a provisional came; RFC 3261 §9.1) and wait for its
        end: 487, or a 2xx that crossed the CANCEL, which is acknowledged and hung up."""
        loop = asyncio.get_running_loop()
        limit = loop.time() + 64 * self.endpoint.t1
        self.record("sip_timeout" if reason == "no_answer_timeout" else "sip_withdrawn",
                    method="INVITE", timer="no_answer" if reason == "no_answer_timeout"
                    else "stop_all")
        cancelled = False
        while True:
            if transaction.provisional and not cancelled:
                cancelled = True
                self._send_cancel(transaction.request)
            response = await transaction.next_response(max(0.0, limit - loop.time()))
            if response is None or transaction.timed_out:
                self.record("sip_timeout", method="INVITE", timer="after_cancel")
                return InviteResult(0, cancelled=True, timed_out=True)
            status = response.status_code
            if status < 200:
                self.record("sip_provisional", status=status, reason=reason_for(status))
                continue
            self._final(response, "INVITE")
            if status >= 300:
                return InviteResult(status, cancelled=True)
            self._answered(response)  # answered as the CANCEL went out: end it at once
            self.send_ack(None)
            await self.bye()
            return InviteResult(status, cancelled=True)

    def _send_cancel(self, invite: SipRequest) -> None:
        cancel = SipRequest(method="CANCEL", uri=invite.uri)
        cancel.headers.append("Via", invite.headers.get("via")[0])
        for name in ("From", "To", "Call-ID"):
            cancel.headers.set_single(name, invite.headers.get_first(name) or "")
        cancel.headers.set_single("CSeq", f"{self.invite_cseq} CANCEL")
        cancel.headers.set_single("Max-Forwards", "70")
        for route in invite.headers.get("route"):
            cancel.headers.append("Route", route)
        self.endpoint.start(cancel, self.destination)  # its 200 is absorbed by the transaction
        self.record("sip_cancel")

    def _final(self, response: SipResponse, method: str) -> None:
        status = response.status_code
        self.record("sip_final", method=method, status=status, reason=reason_for(status))
        if method == "INVITE" and status >= 300:
            self.record("sip_ack", status=status)  # sent by the transaction

    # --- inside the dialog ---------------------------------------------------------------
    def send_ack(self, sdp: str | None) -> None:
        """Acknowledge the 2xx to the last INVITE (with SDP when the offer was in the 2xx)."""
        ack = self._request("ACK", self.dialog.remote_target, to_tag=True)
        for route in self.dialog.route_set:
            ack.headers.append("Route", route)
        if sdp is not None:
            ack.text = sdp
            ack.headers.set_single("Content-Type", "application/sdp")
            self.local_sdp = sdp
        self.last_ack = ack
        self.endpoint.send(ack, self.destination)
        self.record("sip_ack", status=200, sdp=sdp is not None)

    async def reinvite(self, sdp: str) -> InviteResult:
        """Offer ``sdp`` in a re-INVITE; the 2xx is acknowledged here."""
        request = self._in_dialog("INVITE")
        self.invite_cseq = int((request.headers.get_first("cseq") or "0").split()[0])
        request.headers.set_single("Contact", self._contact())
        request.text = sdp
        request.headers.set_single("Content-Type", "application/sdp")
        transaction = self.endpoint.start(request, self.destination)
        self.record("sip_reinvite")
        while True:
            response = await transaction.next_response(64 * self.endpoint.t1)
            if response is None or transaction.timed_out:
                self.record("sip_timeout", method="INVITE", timer="B")
                return InviteResult(0, timed_out=True)
            if response.status_code < 200:
                continue
            self._final(response, "INVITE")
            if response.status_code >= 300:
                return InviteResult(response.status_code)
            self.local_sdp = sdp
            self.send_ack(None)
            return InviteResult(response.status_code,
                                sdp=response.text if response.body else None)

    async def bye(self) -> None:
        """End a confirmed leg with BYE (once), waiting for its response at most 64*T1."""
        if self.ended or not self.confirmed:
            self.ended = True
            return
        self.ended = True
        transaction = self.endpoint.start(self._in_dialog("BYE"), self.destination)
        self.record("sip_bye", dir="out")
        response = await transaction.next_response(64 * self.endpoint.t1 + 1)
        if response is None or transaction.timed_out:
            self.record("sip_timeout", method="BYE", timer="F")
        else:
            self._final(response, "BYE")
        self.endpoint.detach(self.call_id)

    def _in_dialog(self, method: str) -> SipRequest:
        host, port = self.endpoint.local
        request = self.dialog.create_request(method, via_host=host, via_port=port)
        if (request.headers.get_first("cseq") or "").split()[-1:] == [method]:
            return request
        raise AssertionError("aiosipua built an in-dialog request without its CSeq")

    def handle_request(self, request: SipRequest, source: Address) -> None:
        """Answer the peer's request in this dialog (module docstring)."""
        method = request.method.upper()
        if method == "ACK":
            return
        to = request.to_addr
        if (to.tag if to else None) != self.dialog.local_tag:
            self.endpoint.send(response_to(request, 481), source)
            return
        if method == "BYE":
            self.endpoint.send(response_to(request, 200), source)
            self.record("sip_bye", dir="in")
            if not self.ended:
                self.ended = self.ended_by_peer = True
                self.endpoint.detach(self.call_id)
                if self.on_peer_bye is not None:
                    self.on_peer_bye(self)
            return
        if method in ("INVITE", "UPDATE") and self.local_sdp is not None:
            # A session refresh: answered with what this side last described.
            body = self.local_sdp if method == "INVITE" else ""
            response = response_to(request, 200, body=body, content_type="application/sdp")
            response.headers.set_single("Contact", self._contact())
            self.endpoint.send(response, source)
            self.record("sip_request_in", method=method, status=200)
            return
        status = {"OPTIONS": 200, "REFER": 403, "INFO": 200}.get(method, 405)
        response = response_to(request, status)
        if status == 405:
            response.headers.set_single("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS")
        self.endpoint.send(response, source)
        self.record("sip_request_in", method=method if method.isalpha() else "?",
                    status=status)

    def handle_stray_2xx(self, response: SipResponse) -> None:
        """A retransmitted 2xx: acknowledged again (our ACK was lost)."""
        cseq = response.cseq
        if self.last_ack is not None and cseq is not None and cseq.seq == self.invite_cseq:
            self.endpoint.send(self.last_ack, self.destination)

    # --- headers -------------------------------------------------------------------------
    def _request(self, method: str, uri: str, *, to_tag: bool) -> SipRequest:
        """A request of the dialog's last INVITE transaction (the INVITE itself, or the ACK of
        its 2xx): a new Via branch, From, To (with the peer's tag once known), Call-ID, CSeq."""
        request = SipRequest(method=method, uri=uri)
        request.headers.append("Via", self._via())
        request.headers.set_single("From",
                                   f"<{self.dialog.local_uri}>;tag={self.dialog.local_tag}")
        to = f"<{self.dialog.remote_uri}>"
        request.headers.set_single("To", f"{to};tag={self.dialog.remote_tag}" if to_tag else to)
        request.headers.set_single("Call-ID", self.call_id)
        request.headers.set_single("CSeq", f"{self.invite_cseq} {method}")
        request.headers.set_single("Max-Forwards", "70")
        return request

    def _via(self) -> str:
        host, port = self.endpoint.local
        return f"SIP/2.0/UDP {host}:{port};branch={generate_branch()};rport"

    def _contact(self) -> str:
        host, port = self.endpoint.local
        return f"<sip:survey-engine@{host}:{port}>"


async def _next(transaction: ClientTransaction, timeout: float,
                withdraw: asyncio.Event) -> SipResponse | None:
    """The next response of ``transaction`` within ``timeout``, or None at the timeout or when
    ``withdraw`` is set first."""
    if withdraw.is_set() or timeout <= 0:
        return None
    waiting = asyncio.ensure_future(transaction.next_response(timeout))
    stopping = asyncio.ensure_future(withdraw.wait())
    done, _pending = await asyncio.wait({waiting, stopping}, return_when=asyncio.FIRST_COMPLETED)
    stopping.cancel()
    if waiting in done:
        return waiting.result()
    waiting.cancel()
    return None


def _retry_after(response: SipResponse) -> float | None:
    value = (response.headers.get_first("retry-after") or "").split(";")[0].strip()
    return float(value) if value.isdigit() else None
