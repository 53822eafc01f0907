"""The session descriptions third-party call control passes between the two legs.

No media flows through the dialer: the agent's phone and the carrier's media gateway send RTP to
each other, at the addresses their own SDP gives. The dialer only moves SDP from one leg to the
other (parsed and written by ``aiosipua``), with its own origin line on each leg:

- the agent's phone offers first (in its 200 OK to an INVITE without SDP); the dialer answers it
  "on hold" (``a=inactive``, discard port) until the respondent answers;
- the agent's offer goes to the respondent in the trunk INVITE;
- the respondent's answer is then offered to the agent's phone in a re-INVITE.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from aiosipua import parse_sdp, serialize_sdp
from aiosipua.sdp import ConnectionData, Origin, SdpMessage

_DIRECTIONS = ("sendrecv", "sendonly", "recvonly", "inactive")
#: The discard port (RFC 863): a held stream is answered with a port nobody listens on.
_DISCARD = 9


class SdpError(ValueError):
    """A peer's SDP that cannot be used (no audio stream, unparsable)."""


@dataclass
class OwnOrigin:
    """The dialer's origin line on one leg; each new description increments its version."""

    session_id: str
    address: str
    version: int = 0

    def next(self) -> Origin:
        self.version += 1
        return Origin(username="survey-engine", session_id=self.session_id,
                      session_version=str(self.version), address=self.address)


def parsed(text: str) -> SdpMessage:
    """A peer's SDP, refused unless it offers an audio stream.

    :raises SdpError: when it cannot be parsed or has no audio with a port.
    """
    try:
        sdp = parse_sdp(text)
    except Exception as error:  # the parser's own errors, on hostile input
        raise SdpError("unparsable SDP") from error
    audio = sdp.audio
    if audio is None or audio.port <= 0 or not audio.formats:
        raise SdpError("SDP without an audio stream")
    return sdp


def hold_answer(offer: SdpMessage, origin: OwnOrigin) -> str:
    """An answer accepting every offered stream but on hold: no media flows until the re-INVITE
    with the respondent's description."""
    answer = copy.deepcopy(offer)
    answer.origin = origin.next()
    answer.connection = ConnectionData(address="0.0.0.0")
    for media in answer.media:
        media.connection = None
        if media.port > 0:
            media.port = _DISCARD
        _set_direction(media.attributes, "inactive")
    return serialize_sdp(answer)


def relayed(description: SdpMessage, origin: OwnOrigin) -> str:
    """``description`` from one leg as the dialer's own on the other leg (its origin line)."""
    relay = copy.deepcopy(description)
    relay.origin = origin.next()
    return serialize_sdp(relay)


def same_media(first: SdpMessage, second: SdpMessage) -> bool:
    """Whether two descriptions send media to the same addresses and ports with the same
    formats (a session refresh, not a change)."""
    def media(sdp: SdpMessage) -> list[tuple[str, int, tuple[str, ...], str]]:
        session = sdp.connection.address if sdp.connection else ""
        return [(m.connection.address if m.connection else session, m.port, tuple(m.formats),
                 m.media) for m in sdp.media]
    return media(first) == media(second)


def _set_direction(attributes: dict[str, list[str]], direction: str) -> None:
    for name in _DIRECTIONS:
        attributes.pop(name, None)
    attributes[direction] = []
