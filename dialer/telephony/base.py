"""The contract every telephony backend keeps: calls are placed by attempt id, never by number.

Agents never type, see or choose a phone number. The dialer hands a backend an attempt id and a
:data:`NumberResolver`; the backend calls the resolver at the moment it would place the call, and
the resolver re-checks every rule (campaign list, do-not-call list, exclusions, countries and
number types, calling window) at that instant, returning the E.164 number or raising
:class:`DialRefused`. A backend accepts a number from nowhere else, keeps it only as long as the
call needs it, and never puts it in a :class:`CallEvent`, a log line or an error message.
"""

from __future__ import annotations

import abc
import datetime as dt
import enum
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, ClassVar, Self

from dialer.errors import DialerError


class DialRefused(DialerError):
    """A resolver refused to give the number at the moment of dialing; no call is placed.

    ``code`` is the reason: ``do_not_call``, ``excluded``, ``outside_window``, ...
    ``events`` are the steps a backend took before the refusal (ringing the agent's phone), for
    the trace; never the respondent's call, which was not placed.
    """

    def __init__(self, code: str, message: str, events: tuple[CallEvent, ...] = ()) -> None:
        super().__init__(code, message)
        self.events = events


#: ``(attempt_id, instant) -> E.164 number``, or raises :class:`DialRefused`.
NumberResolver = Callable[[int, dt.datetime], str]

#: Who may end a call: the agent, the respondent, or the system (maximum duration, stop-all).
HANGUP_PARTIES = frozenset({"agent", "respondent", "system"})

_E164 = re.compile(r"\+[1-9][0-9]{1,14}")


class NetworkEnding(enum.Enum):
    """How the network side of a call ended (or that it was answered)."""

    ANSWERED = "answered"
    BUSY = "busy"
    NO_ANSWER = "no_answer"
    ANSWERING_MACHINE = "answering_machine"
    NON_WORKING = "non_working"
    DISCONNECTED = "disconnected"
    CALL_BLOCKED = "call_blocked"
    NETWORK_FAILURE = "network_failure"
    #: The dialer withdrew the call before anyone answered (the stop-all-dialing switch).
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class CallEvent:
    """One step of a call, for the call trace.

    ``kind`` is ``dial_requested``, ``ringing``, ``hangup``, a :class:`NetworkEnding` value, or
    a step of the signalling that a real network has (``sip_invite``, ``sip_provisional``,
    ``sip_final``, ``sip_ack``, ``sip_cancel``, ``sip_bye``, ``sip_timeout``, ``sip_retry``...,
    listed in docs/telephony.md); ``at`` is an aware UTC instant; ``data`` is JSON-able and
    never holds the phone number. The data is copied into a read-only mapping so an event
    cannot change after it was recorded.
    """

    kind: str
    at: dt.datetime
    data: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "at", utc(self.at))
        object.__setattr__(self, "data", MappingProxyType(dict(self.data)))


@dataclass(frozen=True)
class CallSetup:
    """What placing a call came to.

    ``answered_at`` is set only for :attr:`NetworkEnding.ANSWERED` (the call is then live until
    :meth:`TelephonyBackend.hang_up`); ``ended_at`` is set when the call is already over.
    """

    attempt_id: int
    ending: NetworkEnding
    events: tuple[CallEvent, ...]
    answered_at: dt.datetime | None
    ended_at: dt.datetime | None

    @property
    def answered(self) -> bool:
        """Whether a person (not a machine) picked up and the call is live."""
        return self.ending is NetworkEnding.ANSWERED


class TelephonyBackend(abc.ABC):
    """A way to place calls (simulated, SIP, ...), registered by :attr:`name`.

    Backends are found through the ``survey_engine.telephony`` entry-point group and built from
    the options table of the instance configuration by :meth:`from_options`.
    """

    name: ClassVar[str]

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> Self:
        """Build the backend from its ``[telephony.<name>]`` options table.

        This default accepts no options; backends that take some override it.

        :raises DialerError: ``backend_options`` naming the first option it refuses.
        """
        if options:
            raise DialerError("backend_options",
                              f"telephony backend {cls.name!r} takes no option "
                              f"{sorted(options)[0]!r}")
        return cls()

    #: Set by :meth:`stop_all`: no new call is placed until :meth:`resume_dialing`.
    dialing_stopped: bool = False

    @abc.abstractmethod
    def place_call(self, attempt_id: int, resolve: NumberResolver, now: dt.datetime, *,
                   campaign: str, no_answer_timeout: dt.timedelta,
                   agent: str | None = None,
                   max_duration: dt.timedelta | None = None) -> CallSetup:
        """Place the call of one attempt and report how the network side went.

        Calls ``resolve(attempt_id, instant)`` at the moment of dialing the respondent (``now``
        for a simulated network, the real instant of the INVITE for a real one); when it raises
        :class:`DialRefused` that error propagates and no call is placed.

        :param campaign: the campaign code, for per-campaign behaviour and the trace.
        :param no_answer_timeout: how long the phone may ring, counted from the dial request.
        :param agent: the code of the attempt's agent, whose phone a real backend connects.
        :param max_duration: how long an answered call may last before the backend itself
            hangs up (a real backend enforces it; the call desk also ends overdue calls).
        :raises DialRefused: when the resolver refuses, or ``dialing_stopped`` after
            :meth:`stop_all`.
        :raises DialerError: ``bad_number`` if the resolver returns something not E.164,
            ``naive_time`` if ``now`` has no time zone.
        """

    @abc.abstractmethod
    def hang_up(self, attempt_id: int, now: dt.datetime, *, by: str) -> CallEvent:
        """End a live (answered) call and return its ``hangup`` event.

        :param by: ``agent``, ``respondent`` or ``system`` (maximum duration, stop-all).
        :raises DialerError: ``hangup_by`` for another ``by``; ``no_live_call`` if the attempt
            has no live call.
        """

    def live_calls(self) -> list[int]:
        """The attempt ids whose call is answered and not hung up yet."""
        return []

    def ended_calls(self) -> dict[int, CallEvent]:
        """Live calls the network ended on its own (a party hung up, the maximum duration, a
        lost leg, stop-all), not yet hung up through :meth:`hang_up`, with their ``hangup``
        event (``by`` names the party); by default none."""
        return {}

    def call_events(self, attempt_id: int) -> tuple[CallEvent, ...]:
        """The events of a live call since it was answered (a BYE from a party, a leg lost...),
        each returned once, for the trace; by default none."""
        return ()

    def stop_all(self, now: dt.datetime) -> list[int]:
        """The stop-all-dialing switch: refuse every new call from now on.

        This default tears nothing down itself: it returns the live calls, which the call desk
        then ends (:func:`dialer.call_teardown.stop_all_dialing`). A backend with real calls
        also withdraws the calls being set up and hangs up the live ones at once.

        :returns: the attempts whose live call is to end.
        """
        self.dialing_stopped = True
        return self.live_calls()

    def resume_dialing(self) -> None:
        """Lift :meth:`stop_all`: new calls may be placed again."""
        self.dialing_stopped = False

    def refuse_if_stopped(self, attempt_id: int) -> None:
        """Refuse a new call while dialing is stopped, before any number is resolved.

        :raises DialRefused: ``dialing_stopped``.
        """
        if self.dialing_stopped:
            raise DialRefused("dialing_stopped", f"attempt {attempt_id}: all dialing is "
                                                 "stopped")

    def close(self) -> None:  # noqa: B027 - a deliberate no-op default, not an abstract method
        """Release whatever the backend holds (connections, live calls); by default nothing."""


def utc(instant: dt.datetime) -> dt.datetime:
    """``instant`` in UTC, so that events compare and serialise alike.

    :raises DialerError: ``naive_time`` if the instant has no time zone.
    """
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise DialerError("naive_time", "telephony instants must be time-zone aware")
    return instant.astimezone(dt.UTC)


def check_number(number: object) -> str:
    """The resolver's answer if it is an E.164 number.

    The message never repeats what was returned: it may be a phone number.

    :raises DialerError: ``bad_number`` otherwise.
    """
    if not isinstance(number, str) or not _E164.fullmatch(number):
        raise DialerError("bad_number", "the number resolver returned something not E.164")
    return number


def check_hangup_party(by: str) -> str:
    """``by`` if it names who may end a call.

    :raises DialerError: ``hangup_by`` otherwise.
    """
    if by not in HANGUP_PARTIES:
        raise DialerError("hangup_by", f"a call is hung up by one of "
                                       f"{', '.join(sorted(HANGUP_PARTIES))}, not {by!r}")
    return by
