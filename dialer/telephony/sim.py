"""A simulated telephone network, deterministic for a seed, for tests, demos and load simulation.

Nothing is dialed and nothing sleeps: events carry virtual instants computed from the ``now`` the
caller passes, so the caller's clock may be virtual too. The same seed, attempt ids, numbers and
instants give exactly the same calls, in any process and any order:

- traits of the NUMBER (non-working, disconnected, always busy, the other language spoken there)
  come from ``Random(f"{seed}:{number}")`` and so persist across attempts;
- the fate of one ATTEMPT comes from ``Random(f"{seed}:{number}:{attempt_id}")``;
- the respondent of an answered attempt gets a random source seeded from that attempt's draws.

The global :mod:`random` state is never used. Like every backend, the simulator learns a number
only from the dialer's resolver at the moment of dialing and keeps none: what it remembers of a
live call is a seed drawn from it. Probabilities are in :mod:`dialer.telephony.sim_rates`,
durations in :mod:`dialer.telephony.sim_durations`.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from dialer.errors import DialerError
from dialer.telephony import sim_durations as durations
from dialer.telephony.base import (
    CallEvent,
    CallSetup,
    NetworkEnding,
    NumberResolver,
    TelephonyBackend,
    check_hangup_party,
    check_number,
    utc,
)
from dialer.telephony.sim_rates import ATTEMPT_SHARES, SimRates, rates_from_options
from dialer.telephony.sim_respondent import SimRespondent, draw_respondent

logger = logging.getLogger(__name__)

#: The slowest a simulated network may be made (``time_scale``).
MAX_TIME_SCALE = 100.0
OPTIONS = ("seed", "rates", "campaigns", "time_scale")


@dataclass(frozen=True)
class NumberTraits:
    """What a number is, whichever attempt calls it.

    ``dead`` is ``NON_WORKING`` or ``DISCONNECTED`` for a number that never connects, else None;
    ``language`` is the other language spoken there, used if a respondent has a language problem.
    """

    dead: NetworkEnding | None
    always_busy: bool
    language: str | None


@dataclass(frozen=True)
class _LiveCall:
    """An answered call until it is hung up; holds no number, only a seed drawn from it."""

    answered_at: dt.datetime
    rates: SimRates
    respondent_seed: int
    language: str | None


def number_traits(seed: int, number: str, rates: SimRates) -> NumberTraits:
    """The persistent traits of ``number`` under ``rates`` (same draws on every attempt)."""
    rng = random.Random(f"{seed}:{number}")
    line, busy = rng.random(), rng.random()
    dead = None
    if line < rates.non_working:
        dead = NetworkEnding.NON_WORKING
    elif line < rates.non_working + rates.disconnected:
        dead = NetworkEnding.DISCONNECTED
    codes = list(rates.other_languages)
    weights = list(rates.other_languages.values())
    language = rng.choices(codes, weights)[0] if sum(weights) > 0 else None
    return NumberTraits(dead=dead, always_busy=busy < rates.always_busy, language=language)


class SimBackend(TelephonyBackend):
    """The simulated network: ``rates`` for every campaign unless ``campaign_rates`` has its code.

    :param seed: makes every outcome reproducible; another seed gives other outcomes.
    :param time_scale: multiplies every delay of the network, the no-answer timeout too, so the
        same calls are answered, sooner or later: 1 as measured, 0.05 a call that rings for
        half a second instead of ten (a demo, a load test against the served application, whose
        agents wait on the wall clock).
    """

    name: ClassVar[str] = "sim"

    def __init__(self, seed: int = 0, rates: SimRates | None = None,
                 campaign_rates: Mapping[str, SimRates] | None = None,
                 time_scale: float = 1.0) -> None:
        if not 0 < time_scale <= MAX_TIME_SCALE:
            raise DialerError("backend_options",
                              f"option time_scale must be above 0 and at most {MAX_TIME_SCALE:g}")
        self.seed = seed
        self.time_scale = time_scale
        self.rates = rates or SimRates()
        self.campaign_rates = dict(campaign_rates or {})
        self._live: dict[int, _LiveCall] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> Self:
        """Build from ``{"seed": 7, "rates": {...}, "campaigns": {"CODE": {...}},
        "time_scale": 1}``.

        ``rates`` replaces some default rates; each ``campaigns`` table replaces some of those.

        :raises DialerError: ``backend_options`` naming the unknown or wrong option.
        """
        for key in options:
            if key not in OPTIONS:
                raise DialerError("backend_options", f"unknown option {key!r} of the sim "
                                                     f"backend; known: {', '.join(OPTIONS)}")
        seed = options.get("seed", 0)
        if not isinstance(seed, int) or isinstance(seed, bool):
            raise DialerError("backend_options", "option seed must be an integer")
        rates = rates_from_options(options.get("rates", {}), SimRates(), "rates")
        campaigns = options.get("campaigns", {})
        if not isinstance(campaigns, Mapping):
            raise DialerError("backend_options", "option campaigns must be a table of tables "
                                                 "named by campaign code")
        scale = options.get("time_scale", 1.0)
        if not isinstance(scale, int | float) or isinstance(scale, bool):
            raise DialerError("backend_options", "option time_scale must be a number")
        return cls(seed, rates, {str(code): rates_from_options(table, rates, f"campaigns.{code}")
                                 for code, table in campaigns.items()}, float(scale))

    def _scaled(self, seconds: float) -> float:
        """A delay of the network at this backend's ``time_scale``."""
        return round(seconds * self.time_scale, 3)

    def rates_for(self, campaign: str) -> SimRates:
        """The rates a campaign's calls follow."""
        return self.campaign_rates.get(campaign, self.rates)

    def place_call(self, attempt_id: int, resolve: NumberResolver, now: dt.datetime, *,
                   campaign: str, no_answer_timeout: dt.timedelta,
                   agent: str | None = None,
                   max_duration: dt.timedelta | None = None) -> CallSetup:
        """Simulate the call of one attempt; see :meth:`TelephonyBackend.place_call`.

        The simulated network has no agent phone to ring and leaves the maximum duration to
        the call desk (the simulator's clock is virtual).

        :raises DialerError: also ``call_in_progress`` if the attempt already has a live call,
            ``no_answer_timeout`` if the timeout is not positive.
        """
        self.refuse_if_stopped(attempt_id)
        start = utc(now)
        timeout = no_answer_timeout.total_seconds()
        if timeout <= 0:
            raise DialerError("no_answer_timeout", "the no-answer timeout must be positive")
        with self._lock:
            if attempt_id in self._live:
                raise DialerError("call_in_progress", f"attempt {attempt_id} is already on a call")
        number = check_number(resolve(attempt_id, start))
        rates = self.rates_for(campaign)
        traits = number_traits(self.seed, number, rates)
        rng = random.Random(f"{self.seed}:{number}:{attempt_id}")
        del number  # nothing below needs it
        respondent_seed = rng.getrandbits(64)
        ending, ringing, finished, ring = _network(traits, rates, rng, timeout)
        finished = self._scaled(finished)
        ringing, ring = (None if seconds is None else self._scaled(seconds)
                         for seconds in (ringing, ring))

        events = [CallEvent("dial_requested", start, {
            "backend": self.name, "campaign": campaign, "no_answer_timeout_s": timeout})]
        if ringing is not None:
            events.append(CallEvent("ringing", durations.after(start, ringing)))
        at = durations.after(start, finished)
        data: dict[str, Any] = {"after_s": finished}
        if ring is not None:
            data["ring_s"] = ring
        events.append(CallEvent(ending.value, at, data))
        logger.debug("sim attempt %d of %s: %s", attempt_id, campaign, ending.value)

        if ending is not NetworkEnding.ANSWERED:
            return CallSetup(attempt_id, ending, tuple(events), answered_at=None, ended_at=at)
        with self._lock:
            if attempt_id in self._live:  # placed twice at once by two threads
                raise DialerError("call_in_progress", f"attempt {attempt_id} is already on a call")
            self._live[attempt_id] = _LiveCall(at, rates, respondent_seed, traits.language)
        return CallSetup(attempt_id, ending, tuple(events), answered_at=at, ended_at=None)

    def respondent(self, attempt_id: int) -> SimRespondent:
        """The person who answered ``attempt_id``; the same every time it is asked.

        Each call returns a fresh respondent whose ``rng`` starts from the same state.

        :raises DialerError: ``no_live_call`` unless the attempt was answered and not hung up.
        """
        call = self._live_call(attempt_id)
        rng = random.Random(f"{self.seed}:respondent:{call.respondent_seed}")
        return draw_respondent(attempt_id, call.rates, rng, call.language)

    def hang_up(self, attempt_id: int, now: dt.datetime, *, by: str) -> CallEvent:
        """End a live call; see :meth:`TelephonyBackend.hang_up`.

        :raises DialerError: also ``hangup_before_answer`` if ``now`` is before the answer.
        """
        check_hangup_party(by)
        end = utc(now)
        with self._lock:
            call = self._live_call(attempt_id)
            if end < call.answered_at:
                raise DialerError("hangup_before_answer",
                                  f"attempt {attempt_id} cannot end before it was answered")
            del self._live[attempt_id]
        talk = round((end - call.answered_at).total_seconds(), 3)
        return CallEvent("hangup", end, {"by": by, "talk_s": talk})

    def live_calls(self) -> list[int]:
        """The attempt ids with an answered call not hung up yet, e.g. for a stop-all."""
        with self._lock:
            return sorted(self._live)

    def close(self) -> None:
        """Forget every live call."""
        with self._lock:
            self._live.clear()

    def _live_call(self, attempt_id: int) -> _LiveCall:
        call = self._live.get(attempt_id)
        if call is None:
            raise DialerError("no_live_call", f"attempt {attempt_id} has no live call")
        return call


def _network(traits: NumberTraits, rates: SimRates, rng: random.Random,
             timeout: float) -> tuple[NetworkEnding, float | None, float, float | None]:
    """How the network side goes: ending, seconds to ringing, seconds to the end, ring time.

    All seconds count from the dial request; the ring time is set only when a person or a
    machine picked up.
    """
    if traits.dead is not None:
        return traits.dead, None, durations.INTERCEPT.seconds(rng), None
    draw = rng.random()
    if traits.always_busy:
        return NetworkEnding.BUSY, None, durations.BUSY_SIGNAL.seconds(rng), None
    ending = NetworkEnding.ANSWERED
    for name in ATTEMPT_SHARES:
        share = getattr(rates, name)
        if draw < share:
            ending = NetworkEnding(name)
            break
        draw -= share
    if ending is NetworkEnding.BUSY:
        return ending, None, durations.BUSY_SIGNAL.seconds(rng), None
    if ending is NetworkEnding.CALL_BLOCKED:
        return ending, None, durations.CALL_BLOCKED.seconds(rng), None
    if ending is NetworkEnding.NETWORK_FAILURE:
        return ending, None, durations.NETWORK_FAILURE.seconds(rng), None

    post_dial = durations.POST_DIAL_DELAY.seconds(rng)
    ringing = post_dial if post_dial < timeout else None
    if ending is NetworkEnding.ANSWERING_MACHINE:
        pickup = post_dial + durations.MACHINE_PICKUP.seconds(rng)
    elif ending is NetworkEnding.ANSWERED:
        pickup = post_dial + durations.RING_BEFORE_ANSWER.seconds(rng)
    else:
        pickup = timeout
    if pickup >= timeout:  # nobody (or nothing) picked up in time
        return NetworkEnding.NO_ANSWER, ringing, round(timeout, 3), None
    return ending, ringing, round(pickup, 3), round(pickup - post_dial, 3)
