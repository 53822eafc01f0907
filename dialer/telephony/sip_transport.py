"""The SIP backend's socket and its client transactions (RFC 3261 §17.1), over UDP.

Messages are parsed and built by ``aiosipua``; what this module adds is what aiosipua's own UAC
leaves out and a dialer cannot do without (tried against SIPp, see docs/telephony.md):

- an INVITE is retransmitted (timer A) until a provisional response arrives, and given up after
  64*T1 without one (timer B);
- a non-2xx final response is acknowledged by the transaction itself, with the same branch, and
  a retransmission of it is acknowledged again;
- BYE and CANCEL are retransmitted (timer E, doubling up to T2) until their final response, and
  given up after 64*T1 (timer F).

Anything that cannot be parsed, or that matches no transaction and no call, is counted and
dropped, or answered 481/403 as RFC 3261 asks; the content of a message is never logged.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Protocol, cast

from aiosipua import SipMessage, SipRequest, SipResponse

from dialer.telephony.sip_status import reason_for

logger = logging.getLogger(__name__)

T2 = 4.0
#: How long a finished INVITE transaction stays to absorb retransmitted final responses.
LINGER_SECONDS = 32.0

Address = tuple[str, int]


class CallHandler(Protocol):
    """What owns a Call-ID: it answers the peers' requests in its dialogs."""

    def handle_request(self, request: SipRequest, source: Address) -> None:
        """A request from a peer (BYE, re-INVITE, OPTIONS...) in one of the call's dialogs."""

    def handle_stray_2xx(self, response: SipResponse) -> None:
        """A 2xx to an INVITE whose transaction is over: a retransmission to acknowledge
        again, or an answer that came after a CANCEL."""


@dataclass
class ClientTransaction:
    """One request sent and the responses it draws, read with :meth:`next_response`."""

    request: SipRequest
    destination: Address
    branch: str
    invite: bool
    responses: asyncio.Queue[SipResponse] = field(default_factory=asyncio.Queue)
    provisional: bool = False
    final: SipResponse | None = None
    timed_out: bool = False
    ack: SipRequest | None = None
    _timer: asyncio.TimerHandle | None = None

    async def next_response(self, timeout: float | None) -> SipResponse | None:
        """The next response, or None when ``timeout`` (seconds) passes or the transaction
        timed out (no final response within 64*T1)."""
        if self.timed_out and self.responses.empty():
            return None
        try:
            return await asyncio.wait_for(self.responses.get(), timeout)
        except TimeoutError:
            return None


class SipEndpoint(asyncio.DatagramProtocol):
    """The backend's UDP socket: sends requests, routes responses to their transaction and
    requests from peers to the call (by Call-ID) that owns them."""

    def __init__(self, t1: float) -> None:
        self.t1 = t1
        self.local: Address = ("127.0.0.1", 0)
        self._socket: asyncio.DatagramTransport | None = None
        self._transactions: dict[tuple[str, str], ClientTransaction] = {}
        self._calls: dict[str, CallHandler] = {}
        #: Messages dropped: unparsable, or matching nothing.
        self.dropped = 0

    async def open(self, host: str, port: int) -> Address:
        """Bind the socket; the address actually bound (a port 0 is chosen by the system)."""
        loop = asyncio.get_running_loop()
        await loop.create_datagram_endpoint(lambda: self, local_addr=(host, port))
        return self.local

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A datagram endpoint's transport (asyncio's selector transport does not register as
        # a DatagramTransport subclass on every Python version, hence the cast).
        self._socket = cast(asyncio.DatagramTransport, transport)
        self.local = transport.get_extra_info("sockname")[:2]

    def close(self) -> None:
        """Close the socket and stop every retransmission timer."""
        for transaction in self._transactions.values():
            if transaction._timer is not None:
                transaction._timer.cancel()
        self._transactions.clear()
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    # --- calls ---------------------------------------------------------------------------
    def attach(self, call_id: str, handler: CallHandler) -> None:
        """Route the peers' requests with this Call-ID to ``handler``."""
        self._calls[call_id] = handler

    def detach(self, call_id: str) -> None:
        self._calls.pop(call_id, None)

    # --- sending -------------------------------------------------------------------------
    def send(self, message: SipRequest | SipResponse, destination: Address) -> None:
        if self._socket is not None:
            self._socket.sendto(bytes(message), destination)

    def start(self, request: SipRequest, destination: Address) -> ClientTransaction:
        """Send ``request`` as a new client transaction, retransmitted until answered."""
        branch = top_branch(request) or ""
        transaction = ClientTransaction(request, destination, branch,
                                        invite=request.method == "INVITE")
        self._transactions[(branch, request.method)] = transaction
        self.send(request, destination)
        self._arm(transaction, self.t1, 0.0)
        return transaction

    def _arm(self, transaction: ClientTransaction, interval: float, elapsed: float) -> None:
        loop = asyncio.get_running_loop()
        transaction._timer = loop.call_later(interval, self._retransmit, transaction, interval,
                                             elapsed + interval)

    def _retransmit(self, transaction: ClientTransaction, interval: float,
                    elapsed: float) -> None:
        if transaction.final is not None:
            return
        if elapsed >= 64 * self.t1 and not (transaction.invite and transaction.provisional):
            transaction.timed_out = True  # timer B or F: the peer never answered
            self._forget(transaction)
            transaction.responses.put_nowait(SipResponse(status_code=408,
                                                         reason_phrase="local timeout"))
            return
        if transaction.invite and transaction.provisional:
            return  # proceeding: the INVITE is no longer retransmitted (timer A stops)
        self.send(transaction.request, transaction.destination)
        next_interval = interval * 2 if transaction.invite else min(interval * 2, T2)
        if transaction.provisional:
            next_interval = T2
        self._arm(transaction, next_interval, elapsed)

    def finish(self, transaction: ClientTransaction) -> None:
        """Stop a transaction's timers and forget it after a while (late retransmissions of
        its final response are then absorbed, a non-2xx one acknowledged again)."""
        if transaction._timer is not None:
            transaction._timer.cancel()
        asyncio.get_running_loop().call_later(LINGER_SECONDS, self._forget, transaction)

    def _forget(self, transaction: ClientTransaction) -> None:
        key = (transaction.branch, transaction.request.method)
        if self._transactions.get(key) is transaction:
            del self._transactions[key]

    # --- receiving -----------------------------------------------------------------------
    def datagram_received(self, data: bytes, addr: tuple[str, int] | tuple[str, int, int, int]
                          ) -> None:
        source = (str(addr[0]), int(addr[1]))
        try:
            message = SipMessage.parse(data)
            valid = _well_formed(message)
        except Exception:  # hostile input: whatever the parser raises, the call goes on
            valid, message = False, None
        if not valid or message is None:
            self.dropped += 1
            logger.warning("dropped an unparsable SIP message from %s:%d (%d bytes)",
                           source[0], source[1], len(data))
            return
        if isinstance(message, SipResponse):
            self._response(message)
        else:
            self._request(message, source)

    def error_received(self, exc: Exception) -> None:
        logger.warning("SIP socket error: %s", type(exc).__name__)

    def _response(self, response: SipResponse) -> None:
        cseq = response.cseq
        assert cseq is not None  # checked by _well_formed
        transaction = self._transactions.get((top_branch(response) or "", cseq.method.upper()))
        if transaction is None:
            handler = self._calls.get(response.call_id or "")
            if handler is None:
                self.dropped += 1
                return
            if 200 <= response.status_code < 300:
                handler.handle_stray_2xx(response)
            return
        status = response.status_code
        if status < 200:
            transaction.provisional = True
            transaction.responses.put_nowait(response)
            return
        if transaction.final is not None:  # a retransmitted final response
            if transaction.ack is not None and status >= 300:
                self.send(transaction.ack, transaction.destination)
            elif transaction.invite and 200 <= status < 300:
                handler = self._calls.get(response.call_id or "")
                if handler is not None:
                    handler.handle_stray_2xx(response)
            return
        transaction.final = response
        if transaction.invite and status >= 300:
            transaction.ack = non_2xx_ack(transaction.request, response)
            self.send(transaction.ack, transaction.destination)
        transaction.responses.put_nowait(response)
        self.finish(transaction)

    def _request(self, request: SipRequest, source: Address) -> None:
        handler = self._calls.get(request.call_id or "")
        if handler is not None:
            handler.handle_request(request, source)
            return
        if request.method == "ACK":
            return
        if request.method == "OPTIONS":  # a trunk's keep-alive
            self.send(response_to(request, 200), source)
            return
        self.dropped += 1
        # This process places calls and takes none; a request for a call it does not know
        # is refused, whatever it asks.
        to = request.to_addr
        self.send(response_to(request, 481 if to is not None and to.tag else 403), source)


def _well_formed(message: SipMessage) -> bool:
    """Whether a parsed message has what routing needs (Via, Call-ID, CSeq, a status)."""
    if not message.headers.get("via") or not message.call_id or message.cseq is None:
        return False
    if isinstance(message, SipResponse):
        return 100 <= message.status_code <= 699
    return isinstance(message, SipRequest) and bool(message.method) and message.method.isalpha()


def top_branch(message: SipMessage) -> str | None:
    """The branch parameter of the topmost Via."""
    vias = message.via
    return vias[0].branch if vias else None


def non_2xx_ack(invite: SipRequest, response: SipResponse) -> SipRequest:
    """The ACK of a 3xx-6xx final response (RFC 3261 §17.1.1.3): the INVITE's request URI,
    top Via, From, Call-ID and Route, the response's To (with its tag), CSeq method ACK."""
    ack = SipRequest(method="ACK", uri=invite.uri)
    ack.headers.append("Via", invite.headers.get("via")[0])
    for name in ("From", "Call-ID"):
        ack.headers.set_single(name, invite.headers.get_first(name) or "")
    ack.headers.set_single("To", response.headers.get_first("to") or "")
    cseq = invite.cseq
    ack.headers.set_single("CSeq", f"{cseq.seq if cseq else 1} ACK")
    ack.headers.set_single("Max-Forwards", "70")
    for route in invite.headers.get("route"):
        ack.headers.append("Route", route)
    return ack


def response_to(request: SipRequest, status: int, *, to_tag: str | None = None,
                body: str = "", content_type: str = "") -> SipResponse:
    """A response to a peer's request: its Vias, From, To (with ``to_tag`` added when it has
    none), Call-ID and CSeq, with the standard reason phrase."""
    response = SipResponse(status_code=status, reason_phrase=reason_for(status))
    for via in request.headers.get("via"):
        response.headers.append("Via", via)
    response.headers.set_single("From", request.headers.get_first("from") or "")
    to = request.headers.get_first("to") or ""
    if to_tag and ";tag=" not in to:
        to += f";tag={to_tag}"
    response.headers.set_single("To", to)
    response.headers.set_single("Call-ID", request.call_id or "")
    response.headers.set_single("CSeq", request.headers.get_first("cseq") or "")
    if body:
        response.text = body
        response.headers.set_single("Content-Type", content_type)
    return response
