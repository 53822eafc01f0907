"""AAPOR disposition codes for telephone surveys, and when a contact is retried or settled.

Every call attempt is recorded with a disposition code of the AAPOR *Standard Definitions*
(table of final disposition codes for telephone surveys), so that response, cooperation,
refusal and contact rates can be computed the way the profession reports them, and so that
a case's fate is decided by one set of rules rather than by each caller:

* :func:`attempt_disposition` turns what one attempt came to (:class:`CallEnding`, as the
  telephony backend or the agent reports it) into a code;
* :func:`next_step` says whether the contact is called again (:class:`Retry`, after which
  delay, needing which agent skill) or settled (:class:`Final`);
* :func:`final_disposition` picks the case's final code from all its attempts when they
  run out.

Local convention: AAPOR tells refusals apart by *who* refused (2.111 household-level,
2.112 known respondent). This engine records a first refusal as 2.111, retried by a
refusal-conversion agent, and a repeated refusal as 2.112, which settles the case.

The module is pure (no database, no clock): callers pass in the history they hold.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from dialer.errors import DialerError

logger = logging.getLogger(__name__)


class RateGroup(enum.Enum):
    """The groups the AAPOR outcome-rate formulas count (RR1..RR6, COOP, REF, CON)."""

    INTERVIEW = "I"
    PARTIAL = "P"
    REFUSAL = "R"
    NON_CONTACT = "NC"
    OTHER = "O"
    UNKNOWN_HOUSEHOLD = "UH"
    UNKNOWN_OTHER = "UO"
    NOT_ELIGIBLE = "NE"


@dataclass(frozen=True)
class Disposition:
    """One AAPOR disposition: its code, label, rate group and whether one attempt settles it."""

    code: str
    label: str
    group: RateGroup
    final_at_once: bool


_I, _P, _R, _NC = RateGroup.INTERVIEW, RateGroup.PARTIAL, RateGroup.REFUSAL, RateGroup.NON_CONTACT
_O, _UH, _UO = RateGroup.OTHER, RateGroup.UNKNOWN_HOUSEHOLD, RateGroup.UNKNOWN_OTHER
_NE = RateGroup.NOT_ELIGIBLE

# Heading rows (1.0, 2.10, ...) carry the group an undifferentiated case would be counted in.
_TABLE: tuple[tuple[str, str, RateGroup, bool], ...] = (
    ("1.0", "Interview", _I, True),
    ("1.1", "Complete", _I, True),
    ("1.2", "Partial", _P, False),
    ("2.0", "Eligible, non-interview", _O, False),
    ("2.10", "Refusal and break-off", _R, False),
    ("2.11", "Refusal", _R, False),
    ("2.111", "Household-level refusal", _R, False),
    ("2.112", "Known-respondent refusal", _R, True),
    ("2.12", "Break-off", _R, False),
    ("2.20", "Non-contact", _NC, False),
    ("2.21", "Respondent never available", _NC, False),
    ("2.22", "Telephone answering device (message confirms residential household)", _NC, False),
    ("2.221", "Message left", _NC, False),
    ("2.222", "No message left", _NC, False),
    ("2.30", "Other", _O, False),
    ("2.31", "Dead", _O, True),
    ("2.32", "Physically or mentally unable/incompetent", _O, True),
    ("2.33", "Language", _O, False),
    ("2.331", "Household-level language problem", _O, True),
    ("2.332", "Respondent language problem", _O, True),
    ("2.333", "No interviewer available for needed language", _O, False),
    ("2.34", "Inadequate audio quality", _O, False),
    ("2.35", "Location/activity not allowing interview", _O, False),
    ("2.36", "Miscellaneous", _O, False),
    ("3.0", "Unknown eligibility, non-interview", _UO, False),
    ("3.10", "Unknown if housing unit", _UH, False),
    ("3.11", "Not attempted or worked", _UH, False),
    ("3.12", "Always busy", _UH, False),
    ("3.13", "No answer", _UH, False),
    ("3.14", "Telephone answering device (don't know if housing unit)", _UH, False),
    ("3.15", "Telecommunication technological barriers, e.g., call-blocking", _UH, False),
    ("3.16", "Technical phone problems", _UH, False),
    ("3.161", "Ambiguous operator's message", _UH, False),
    ("3.20", "Housing unit, unknown if eligible respondent", _UO, False),
    ("3.21", "No screener completed", _UO, False),
    ("3.90", "Other", _UO, False),
    ("4.0", "Not eligible", _NE, True),
    ("4.10", "Out of sample", _NE, True),
    ("4.20", "Fax/data line", _NE, True),
    ("4.30", "Non-working/disconnected number", _NE, True),
    ("4.31", "Non-working number", _NE, True),
    ("4.32", "Disconnected number", _NE, True),
    ("4.33", "Number temporarily out of service", _NE, False),
    ("4.40", "Special technological circumstances", _NE, True),
    ("4.41", "Number changed", _NE, True),
    ("4.50", "Non-residence", _NE, True),
    ("4.51", "Business, government office, other organizations", _NE, True),
    ("4.70", "No eligible respondent", _NE, True),
    ("4.80", "Quota filled", _NE, True),
    ("4.90", "Other", _NE, True),
)

#: The AAPOR telephone table, by code ("2.111"), in the table's order.
DISPOSITIONS: Mapping[str, Disposition] = MappingProxyType(
    {code: Disposition(code, label, group, final) for code, label, group, final in _TABLE})


def disposition(code: str) -> Disposition:
    """Look up one disposition of the AAPOR telephone table.

    :param code: the code exactly as AAPOR writes it, e.g. ``"2.111"``.
    :returns: the :class:`Disposition`.
    :raises DialerError: ``unknown_disposition`` when the table has no such code.
    """
    try:
        return DISPOSITIONS[code]
    except KeyError:
        raise DialerError(
            "unknown_disposition",
            f"unknown disposition code {code!r}: AAPOR telephone codes are 1.x interviews, "
            "2.x eligible non-interviews, 3.x unknown eligibility and 4.x not eligible "
            "(e.g. 1.1, 2.111, 3.13, 4.32)") from None


class CallEnding(enum.Enum):
    """What one attempt came to, as the telephony backend or the agent reports it."""

    BUSY = "busy"
    NO_ANSWER = "no_answer"
    ANSWERING_MACHINE = "answering_machine"
    NON_WORKING = "non_working"
    DISCONNECTED = "disconnected"
    TEMPORARILY_OUT_OF_SERVICE = "temporarily_out_of_service"
    FAX = "fax"
    #: 503 or a time-out: the network failed, not the number; retried soon (3.16).
    NETWORK_FAILURE = "network_failure"
    #: 603 declined by the network or by call blocking (3.15).
    CALL_BLOCKED = "call_blocked"
    COMPLETE = "complete"
    BREAK_OFF = "break_off"
    REFUSAL = "refusal"
    APPOINTMENT = "appointment"
    RESPONDENT_UNAVAILABLE = "respondent_unavailable"
    LANGUAGE_PROBLEM = "language_problem"
    NO_AGENT_FOR_LANGUAGE = "no_agent_for_language"
    QUOTA_FULL = "quota_full"
    SCREENED_OUT = "screened_out"
    #: The sealed-dialing check refused to dial: no call was placed (3.11).
    DIAL_REFUSED = "dial_refused"
    #: The dialer withdrew a placed call before anyone answered (stop-all-dialing): the
    #: number was not worked (3.11).
    WITHDRAWN = "withdrawn"
    #: The respondent asks never to be called again: a final refusal, and the number goes on
    #: the do-not-call list.
    ASKED_NOT_TO_BE_CALLED = "asked_not_to_be_called"


#: Share of the questionnaire a break-off must have answered to count as a partial interview
#: (1.2) rather than a break-off (2.12). AAPOR leaves the threshold to the researcher and
#: cites 50% of applicable questions as a common one.
PARTIAL_SHARE = 0.5

#: Skill an agent needs to call back a first (soft) refusal.
REFUSAL_CONVERSION_SKILL = "refusal_conversion"

_SOFT_REFUSAL, _HARD_REFUSAL = "2.111", "2.112"

# Endings whose code does not depend on the history or the share answered.
_ENDING_CODES: Mapping[CallEnding, str] = MappingProxyType({
    CallEnding.BUSY: "3.12",
    CallEnding.NO_ANSWER: "3.13",
    # A list sample's machine does not confirm the sampled person: eligibility stays unknown.
    CallEnding.ANSWERING_MACHINE: "3.14",
    CallEnding.NON_WORKING: "4.31",
    CallEnding.DISCONNECTED: "4.32",
    CallEnding.TEMPORARILY_OUT_OF_SERVICE: "4.33",
    CallEnding.FAX: "4.20",
    CallEnding.NETWORK_FAILURE: "3.16",
    CallEnding.CALL_BLOCKED: "3.15",
    CallEnding.COMPLETE: "1.1",
    CallEnding.APPOINTMENT: "2.21",
    CallEnding.RESPONDENT_UNAVAILABLE: "2.21",
    # The respondent speaks none of the languages the campaign offers.
    CallEnding.LANGUAGE_PROBLEM: "2.332",
    CallEnding.NO_AGENT_FOR_LANGUAGE: "2.333",
    CallEnding.QUOTA_FULL: "4.80",
    CallEnding.SCREENED_OUT: "4.70",
    CallEnding.DIAL_REFUSED: "3.11",
    CallEnding.WITHDRAWN: "3.11",
    CallEnding.ASKED_NOT_TO_BE_CALLED: "2.112",
})


def attempt_disposition(ending: CallEnding, *, answered_share: float = 0.0,
                        earlier_codes: Sequence[str] = ()) -> str:
    """The disposition code of one attempt.

    :param ending: what the attempt came to.
    :param answered_share: share of the questionnaire answered (0 to 1); a break-off with at
        least :data:`PARTIAL_SHARE` answered is a partial interview (1.2), else 2.12.
    :param earlier_codes: codes of the contact's earlier attempts; a refusal after an earlier
        refusal (2.11x) is a hard refusal (2.112), otherwise a soft one (2.111).
    :returns: the AAPOR code, e.g. ``"3.13"``.
    :raises DialerError: ``bad_share`` when ``answered_share`` is outside [0, 1];
        ``unknown_disposition`` when an earlier code is not in the table.
    """
    if not 0.0 <= answered_share <= 1.0:
        raise DialerError("bad_share",
                          f"answered share {answered_share!r} is not between 0 and 1")
    for code in earlier_codes:
        disposition(code)
    if ending is CallEnding.BREAK_OFF:
        return "1.2" if answered_share >= PARTIAL_SHARE else "2.12"
    if ending is CallEnding.REFUSAL:
        refused_before = any(code.startswith("2.11") for code in earlier_codes)
        return _HARD_REFUSAL if refused_before else _SOFT_REFUSAL
    return _ENDING_CODES[ending]


@dataclass(frozen=True)
class Retry:
    """Call the contact again after ``delay``, by an agent with ``needs_skill`` if given.

    ``same_agent`` marks appointments promised by one agent; :func:`next_step` cannot tell an
    appointment from an unavailable respondent (both 2.21), so the caller sets it.
    """

    delay: dt.timedelta
    needs_skill: str | None = None
    same_agent: bool = False


@dataclass(frozen=True)
class Final:
    """The contact is settled with this disposition code; it is not called again."""

    code: str


#: Waits before the next attempt, by code. A code absent here (and from the campaign's own
#: rules) is not retried.
DEFAULT_RETRY_DELAYS: Mapping[str, dt.timedelta] = MappingProxyType({
    "3.12": dt.timedelta(minutes=15),   # busy: someone is there
    "3.13": dt.timedelta(hours=4),      # no answer: another time of day
    "3.14": dt.timedelta(days=1),       # answering machine
    "2.111": dt.timedelta(days=3),      # soft refusal, for a refusal-conversion agent
    "2.12": dt.timedelta(days=1),       # break-off
    "1.2": dt.timedelta(days=1),        # partial: resume where it stopped
    "3.16": dt.timedelta(minutes=10),   # network failure
    "3.15": dt.timedelta(days=1),       # call blocked
    "2.21": dt.timedelta(hours=2),      # respondent unavailable
    "4.33": dt.timedelta(days=1),       # number temporarily out of service
    "3.11": dt.timedelta(hours=1),      # dial refused, nothing placed
})


def next_step(code: str, *, attempts_made: int, max_attempts: int,
              earlier_codes: Sequence[str] = (),
              delays: Mapping[str, dt.timedelta] | None = None) -> Retry | Final:
    """Whether a contact is called again after an attempt, and when, or settled.

    A code that settles the contact at once (:attr:`Disposition.final_at_once`) is final
    with that code. Otherwise, when the attempts are used up or the code has no retry delay,
    the contact is final with :func:`final_disposition` of all its codes; else it is retried
    after the delay, by a refusal-conversion agent after a soft refusal (2.111).

    :param code: this attempt's disposition code.
    :param attempts_made: attempts made so far, this one included (at least 1).
    :param max_attempts: the campaign's attempt limit (at least 1).
    :param earlier_codes: codes of the earlier attempts, oldest first.
    :param delays: the campaign's own waits by code; they replace the defaults code by code.
    :returns: :class:`Retry` or :class:`Final`.
    :raises DialerError: ``unknown_disposition`` for a code not in the table;
        ``bad_attempts`` when ``attempts_made`` or ``max_attempts`` is below 1;
        ``bad_delay`` when the delay that applies is negative.
    """
    this = disposition(code)
    for earlier in earlier_codes:
        disposition(earlier)
    if attempts_made < 1 or max_attempts < 1:
        raise DialerError("bad_attempts", f"attempts made ({attempts_made}) and maximum "
                          f"attempts ({max_attempts}) must both be at least 1")
    if this.final_at_once:
        # A partial interview already holds usable answers: a later refusal or a number
        # found out of service does not take them away.
        if "1.2" in earlier_codes and this.group is not RateGroup.INTERVIEW:
            return Final("1.2")
        return Final(code)
    delay = (delays or {}).get(code, DEFAULT_RETRY_DELAYS.get(code))
    if delay is not None and delay < dt.timedelta(0):
        raise DialerError("bad_delay", f"retry delay {delay} for {code} is negative")
    if attempts_made >= max_attempts or delay is None:
        return Final(final_disposition([*earlier_codes, code]))
    skill = REFUSAL_CONVERSION_SKILL if code == _SOFT_REFUSAL else None
    return Retry(delay=delay, needs_skill=skill)


# Most informative first; codes on one line are equal and the later attempt wins among them.
_PRECEDENCE: tuple[tuple[str, ...], ...] = (
    ("1.1",), ("1.2",), ("1.0",), ("2.112",), ("2.111", "2.11", "2.10"), ("2.12",),
    ("2.333",), ("2.332",), ("2.30", "2.31", "2.32", "2.33", "2.331", "2.34", "2.35", "2.36"),
    ("2.20", "2.21", "2.22", "2.221", "2.222"), ("2.0",),
    tuple(code for code in DISPOSITIONS if code.startswith("4.")),
    ("3.20", "3.21", "3.90"), ("3.14",), ("3.13",), ("3.15", "3.16", "3.161"), ("3.12",),
    ("3.0", "3.10"), ("3.11",),
)
_RANK: Mapping[str, int] = MappingProxyType(
    {code: rank for rank, codes in enumerate(_PRECEDENCE) for code in codes})


def final_disposition(codes: Sequence[str]) -> str:
    """The final code of a contact whose attempts have run out.

    Source: AAPOR Standard Definitions, on temporary versus final dispositions: the last
    attempt's outcome is not necessarily the case's final code, which should keep the most
    informative outcome met on any attempt. A refusal followed by unanswered calls stays a
    refusal; ineligibility found on any attempt outranks non-contacts. The exact order is
    this engine's reading of that practice, highest first:
    1.1 > 1.2 > 2.112 > 2.111/2.11 > 2.12 > 2.333 > 2.332 > other 2.3x > 2.2x > 4.x >
    3.2x/3.90 > 3.14 > 3.13 > 3.15/3.16 > 3.12 > 3.11. "Always busy" (3.12) thus results
    only when every attempt placed was busy; busy mixed with no answer is 3.13. Among equal
    codes the later attempt's is kept.

    :param codes: the contact's attempt codes, oldest first.
    :returns: the final code; ``"3.11"`` (not attempted) when there is none.
    :raises DialerError: ``unknown_disposition`` when a code is not in the table.
    """
    best = "3.11"
    for code in codes:
        disposition(code)
        if _RANK[code] <= _RANK[best]:
            best = code
    return best
