"""How long the steps of a simulated call take: lognormal draws around measured medians.

Telephony delays are positive and right-skewed (most calls are quick, a few are slow), so each is
drawn from a lognormal with the median below and spread ``sigma`` (of the underlying normal; about
95% of draws fall within ``median * exp(±2 sigma)``):

====================  ======  =====  ====================================================
step                  median  sigma  meaning
====================  ======  =====  ====================================================
post-dial delay       2.5 s   0.3    dial request until the phone rings
ring before answer    9 s     0.5    ringing until a person picks up (~2 rings)
machine pickup        20 s    0.2    ringing until an answering machine picks up (~4 rings)
busy signal           2 s     0.3    dial request until the busy tone is recognised
intercept             3 s     0.3    dial request until a non-working/disconnected tone
call blocked          2 s     0.4    dial request until the network rejects the call
network failure       0.8 s   0.5    dial request until the network reports a failure
question              12 s    0.5    one question asked and answered in an interview
====================  ======  =====  ====================================================

A call nobody answers ends exactly at the no-answer timeout, counted from the dial request; a
person or machine who would pick up only after the timeout is a no-answer too, so a short timeout
costs answers as it does on a real network.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Lognormal:
    """A lognormal delay given by its median (seconds) and the sigma of its logarithm."""

    median: float
    sigma: float

    def seconds(self, rng: random.Random) -> float:
        """One draw, in seconds, rounded to the millisecond."""
        return round(rng.lognormvariate(math.log(self.median), self.sigma), 3)


POST_DIAL_DELAY = Lognormal(2.5, 0.3)
RING_BEFORE_ANSWER = Lognormal(9.0, 0.5)
MACHINE_PICKUP = Lognormal(20.0, 0.2)
BUSY_SIGNAL = Lognormal(2.0, 0.3)
INTERCEPT = Lognormal(3.0, 0.3)
CALL_BLOCKED = Lognormal(2.0, 0.4)
NETWORK_FAILURE = Lognormal(0.8, 0.5)
QUESTION = Lognormal(12.0, 0.5)


def after(instant: dt.datetime, seconds: float) -> dt.datetime:
    """``instant`` moved on by ``seconds``, kept to whole milliseconds."""
    return instant + dt.timedelta(milliseconds=round(seconds * 1000))
