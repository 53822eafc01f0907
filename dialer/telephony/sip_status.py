"""What a SIP final response to the respondent's INVITE means for the call, and so for AAPOR.

The backend reports a :class:`~dialer.telephony.base.NetworkEnding`; the call desk turns it into
a :class:`~dialer.outcomes.CallEnding` and its disposition code (:mod:`dialer.call_endings`):

======================================  ==================  ======  ==========================
final response                          network ending      AAPOR   notes
======================================  ==================  ======  ==========================
486 Busy Here, 600 Busy Everywhere      busy                3.12
480 Temporarily Unavailable, 408        no_answer           3.13
487 (after our CANCEL at the timeout)   no_answer           3.13
404 Not Found, 484 Address Incomplete,  non_working         4.31
604 Does Not Exist Anywhere
410 Gone                                disconnected        4.32
603 Decline, 403 Forbidden              call_blocked        3.15    refused by the network
503 Service Unavailable, no response    network_failure     3.16    retried first
3xx redirections                        network_failure     3.16    never followed
anything else 4xx-6xx                   network_failure     3.16
======================================  ==================  ======  ==========================

Redirections are not followed: the number dialed is only ever the one the dialer's resolver
cleared, never one the network proposes.

Reason phrases come from the far end and could carry anything, a phone number included, so the
trace records the status code and the standard phrase of this table, never the peer's text.
"""

from __future__ import annotations

from dialer.telephony.base import NetworkEnding

#: Final responses retried (after their Retry-After, within limits) before giving up.
RETRIED_STATUSES = frozenset({503})

_ENDINGS: dict[int, NetworkEnding] = {
    486: NetworkEnding.BUSY,
    600: NetworkEnding.BUSY,
    480: NetworkEnding.NO_ANSWER,
    408: NetworkEnding.NO_ANSWER,
    487: NetworkEnding.NO_ANSWER,
    404: NetworkEnding.NON_WORKING,
    484: NetworkEnding.NON_WORKING,
    604: NetworkEnding.NON_WORKING,
    410: NetworkEnding.DISCONNECTED,
    603: NetworkEnding.CALL_BLOCKED,
    403: NetworkEnding.CALL_BLOCKED,
}

#: RFC 3261 §21 reason phrases (and RFC 3262, 4028, 6665 ones peers send).
STANDARD_REASONS: dict[int, str] = {
    100: "Trying", 180: "Ringing", 181: "Call Is Being Forwarded", 182: "Queued",
    183: "Session Progress", 199: "Early Dialog Terminated",
    200: "OK", 202: "Accepted",
    300: "Multiple Choices", 301: "Moved Permanently", 302: "Moved Temporarily",
    305: "Use Proxy", 380: "Alternative Service",
    400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 403: "Forbidden",
    404: "Not Found", 405: "Method Not Allowed", 406: "Not Acceptable",
    407: "Proxy Authentication Required", 408: "Request Timeout", 410: "Gone",
    413: "Request Entity Too Large", 414: "Request-URI Too Long",
    415: "Unsupported Media Type", 416: "Unsupported URI Scheme", 420: "Bad Extension",
    421: "Extension Required", 422: "Session Interval Too Small", 423: "Interval Too Brief",
    480: "Temporarily Unavailable", 481: "Call/Transaction Does Not Exist",
    482: "Loop Detected", 483: "Too Many Hops", 484: "Address Incomplete", 485: "Ambiguous",
    486: "Busy Here", 487: "Request Terminated", 488: "Not Acceptable Here",
    491: "Request Pending", 493: "Undecipherable",
    500: "Server Internal Error", 501: "Not Implemented", 502: "Bad Gateway",
    503: "Service Unavailable", 504: "Server Time-out", 505: "Version Not Supported",
    513: "Message Too Large",
    600: "Busy Everywhere", 603: "Decline", 604: "Does Not Exist Anywhere",
    606: "Not Acceptable",
}


def ending_for_status(status: int) -> NetworkEnding:
    """The network ending a final (non-2xx) response to the respondent's INVITE gives."""
    return _ENDINGS.get(status, NetworkEnding.NETWORK_FAILURE)


def reason_for(status: int) -> str:
    """The standard reason phrase of ``status`` (never the peer's own text)."""
    return STANDARD_REASONS.get(status, f"status class {status // 100}xx")
