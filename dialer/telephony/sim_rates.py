"""The probabilities the simulated network and respondents follow, per backend or per campaign.

Three groups, each a set of shares that may not sum above 1:

- per number (a trait the number keeps on every attempt): ``non_working``, ``disconnected``; and,
  among working numbers, ``always_busy`` (a line that is busy whenever it is called);
- per attempt on a working number: ``busy``, ``no_answer``, ``answering_machine``,
  ``call_blocked``, ``network_failure``; the rest is answered by a person;
- per answered call: ``refusal``, ``break_off``, ``appointment``, ``language_problem`` (the
  respondent speaks another language, drawn from the ``other_languages`` weights); the rest
  cooperates.

The defaults resemble a CATI list sample: about 36% of first attempts answered by a person, 35%
not answered, 15% answering machines, 8% busy, 4% non-working or disconnected numbers.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, TypeGuard

from dialer.errors import DialerError
from dialer.telephony.base import NetworkEnding

NUMBER_SHARES = ("non_working", "disconnected")
ATTEMPT_SHARES = ("busy", "no_answer", "answering_machine", "call_blocked", "network_failure")
RESPONDENT_SHARES = ("refusal", "break_off", "appointment", "language_problem")
PROBABILITIES = (*NUMBER_SHARES, "always_busy", *ATTEMPT_SHARES, *RESPONDENT_SHARES)


def _default_languages() -> Mapping[str, float]:
    return {"tr": 1.0, "ru": 1.0, "sq": 1.0}


@dataclass(frozen=True)
class SimRates:
    """Validated probabilities of the simulated network and respondents (module docstring).

    :raises DialerError: ``sim_rates`` naming the field when a value is not a probability, a group
        of shares sums above 1, or ``other_languages`` is not a table of non-negative weights with
        a positive total while language problems can happen.
    """

    non_working: float = 0.03
    disconnected: float = 0.01
    always_busy: float = 0.005
    busy: float = 0.08
    no_answer: float = 0.36
    answering_machine: float = 0.16
    call_blocked: float = 0.01
    network_failure: float = 0.01
    refusal: float = 0.25
    break_off: float = 0.05
    appointment: float = 0.10
    language_problem: float = 0.03
    other_languages: Mapping[str, float] = field(default_factory=_default_languages)

    def __post_init__(self) -> None:
        for name in PROBABILITIES:
            if not is_probability(getattr(self, name)):
                raise DialerError("sim_rates", f"{name} must be a probability in [0, 1]")
        for group in (NUMBER_SHARES, ATTEMPT_SHARES, RESPONDENT_SHARES):
            if sum(getattr(self, name) for name in group) > 1 + 1e-9:
                raise DialerError("sim_rates", f"{' + '.join(group)} must not sum above 1")
        languages = self.other_languages
        if not isinstance(languages, Mapping) or not all(
                isinstance(code, str) and code and _is_number(weight) and weight >= 0
                for code, weight in languages.items()):
            raise DialerError("sim_rates", "other_languages must map language codes to "
                                           "non-negative weights")
        if self.language_problem > 0 and not sum(languages.values()) > 0:
            raise DialerError("sim_rates", "other_languages needs a positive weight when "
                                           "language_problem is above 0")
        object.__setattr__(self, "other_languages",
                           MappingProxyType({code: float(w) for code, w in languages.items()}))

    def expected_shares(self) -> dict[NetworkEnding, float]:
        """The share of each ending expected for one attempt on a number never called before.

        Assumes a no-answer timeout long enough for every person and machine to pick up.
        """
        working = 1 - self.non_working - self.disconnected
        free = working * (1 - self.always_busy)
        shares = {
            NetworkEnding.NON_WORKING: self.non_working,
            NetworkEnding.DISCONNECTED: self.disconnected,
            NetworkEnding.BUSY: working * self.always_busy + free * self.busy,
            NetworkEnding.NO_ANSWER: free * self.no_answer,
            NetworkEnding.ANSWERING_MACHINE: free * self.answering_machine,
            NetworkEnding.CALL_BLOCKED: free * self.call_blocked,
            NetworkEnding.NETWORK_FAILURE: free * self.network_failure,
        }
        shares[NetworkEnding.ANSWERED] = free * (1 - sum(getattr(self, n) for n in ATTEMPT_SHARES))
        return shares


def rates_from_options(table: object, base: SimRates, where: str) -> SimRates:
    """``base`` with the values of an options table (``rates`` or ``campaigns.CODE``) replaced.

    :param where: the option's dotted name, for the messages.
    :raises DialerError: ``backend_options`` naming the option that is unknown or wrong.
    """
    if not isinstance(table, Mapping):
        raise DialerError("backend_options", f"option {where} must be a table")
    changes: dict[str, Any] = {}
    for key, value in table.items():
        if key in PROBABILITIES:
            if not is_probability(value):
                raise DialerError("backend_options",
                                  f"option {where}.{key} must be a probability in [0, 1]")
            changes[key] = float(value)
        elif key == "other_languages":
            changes[key] = _languages(value, f"{where}.{key}")
        else:
            known = ", ".join((*PROBABILITIES, "other_languages"))
            raise DialerError("backend_options", f"unknown option {where}.{key}; known: {known}")
    try:
        return dataclasses.replace(base, **changes)
    except DialerError as error:
        raise DialerError("backend_options", f"option {where}: {error.message}") from None


def _languages(value: object, where: str) -> dict[str, float]:
    if not isinstance(value, Mapping) or not value:
        raise DialerError("backend_options", f"option {where} must be a table of weights")
    for code, weight in value.items():
        if not _is_number(weight) or weight < 0:
            raise DialerError("backend_options",
                              f"option {where}.{code} must be a non-negative weight")
    return {str(code): float(weight) for code, weight in value.items()}


def _is_number(value: object) -> TypeGuard[float]:
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value))


def is_probability(value: object) -> TypeGuard[float]:
    """Whether ``value`` is a real number (not a bool) in [0, 1]."""
    return _is_number(value) and 0 <= value <= 1
