"""The simulated person who answered a call: what they will do, and a random source to do it with.

The call-centre simulator asks :meth:`dialer.telephony.sim.SimBackend.respondent` for one of these
after an answered call and plays the interview against it: a refusal before the first question, a
break-off after ``break_off_after`` answers, a request to be called back ``appointment_in`` from
now, or a respondent who speaks ``spoken_language`` rather than the interview's language.
"""

from __future__ import annotations

import datetime as dt
import enum
import random
from dataclasses import dataclass, field

from dialer.telephony.sim_durations import QUESTION
from dialer.telephony.sim_rates import SimRates

#: Mean number of questions answered before a break-off (exponential, at least one).
MEAN_BREAK_OFF_AFTER = 6.0
#: Appointments are asked for between these many quarter hours ahead (1 h to 48 h), uniformly.
APPOINTMENT_QUARTERS = (4, 192)


class RespondentBehaviour(enum.Enum):
    """What a simulated respondent does once the agent starts talking."""

    COOPERATES = "cooperates"
    REFUSES = "refuses"
    BREAKS_OFF = "breaks_off"
    ASKS_APPOINTMENT = "asks_appointment"
    LANGUAGE_PROBLEM = "language_problem"


@dataclass(frozen=True, eq=False)
class SimRespondent:
    """One simulated respondent of an answered attempt.

    ``break_off_after`` is the number of questions answered before hanging up (0 unless the
    behaviour is ``BREAKS_OFF``); ``spoken_language`` is set only for ``LANGUAGE_PROBLEM``;
    ``appointment_in`` (how far ahead to call back, whole quarter hours) only for
    ``ASKS_APPOINTMENT``, zero otherwise. ``rng`` is the respondent's own seeded random source, for
    the simulator to pick answers with, so a whole interview replays identically.
    """

    attempt_id: int
    behaviour: RespondentBehaviour
    break_off_after: int
    spoken_language: str | None
    appointment_in: dt.timedelta
    rng: random.Random = field(repr=False)

    def seconds_per_question(self) -> float:
        """How long the next question takes to ask and answer (lognormal, median 12 s)."""
        return QUESTION.seconds(self.rng)


def draw_respondent(attempt_id: int, rates: SimRates, rng: random.Random,
                    household_language: str | None) -> SimRespondent:
    """Draw a respondent's behaviour from ``rates`` with ``rng``, which they then keep.

    :param household_language: the other language spoken at the number, used when the draw is a
        language problem.
    """
    draw = rng.random()
    behaviour = RespondentBehaviour.COOPERATES
    for share, candidate in ((rates.refusal, RespondentBehaviour.REFUSES),
                             (rates.break_off, RespondentBehaviour.BREAKS_OFF),
                             (rates.appointment, RespondentBehaviour.ASKS_APPOINTMENT),
                             (rates.language_problem, RespondentBehaviour.LANGUAGE_PROBLEM)):
        if draw < share:
            behaviour = candidate
            break
        draw -= share
    # Both are drawn whatever the behaviour, so the answers that follow do not depend on it.
    break_off_after = 1 + int(rng.expovariate(1 / MEAN_BREAK_OFF_AFTER))
    quarters = rng.randint(*APPOINTMENT_QUARTERS)
    return SimRespondent(
        attempt_id=attempt_id,
        behaviour=behaviour,
        break_off_after=break_off_after if behaviour is RespondentBehaviour.BREAKS_OFF else 0,
        spoken_language=(household_language
                         if behaviour is RespondentBehaviour.LANGUAGE_PROBLEM else None),
        appointment_in=(dt.timedelta(minutes=15 * quarters)
                        if behaviour is RespondentBehaviour.ASKS_APPOINTMENT else dt.timedelta()),
        rng=rng,
    )
