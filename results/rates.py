"""AAPOR outcome rates: response (RR1-RR6), cooperation (COOP1-COOP4), refusal (REF1-REF3) and
contact (CON1-CON3), as the AAPOR *Standard Definitions* define them.

Cases are counted in the rate groups of :class:`dialer.outcomes.RateGroup`, which the AAPOR
telephone table of :mod:`dialer.outcomes` gives every disposition code:

=====  ==========================================================
I      complete interviews (1.1)
P      partial interviews (1.2)
R      refusals and break-offs (2.10)
NC     non-contacts (2.20)
O      other eligible non-interviews (2.30)
UH     unknown if household / working number (3.10)
UO     unknown eligibility, other (3.20, 3.90)
NE     not eligible (4.x); in no formula but the estimate of ``e``
=====  ==========================================================

``e`` is the estimated share of eligible cases among those of unknown eligibility (UH + UO).
By default it is estimated by the proportional method (CASRO): the share of eligible cases
among the cases whose eligibility was established, ``e = (I+P+R+NC+O) / (I+P+R+NC+O+NE)``;
a researcher may set it. Every formula is written out in docs/results.md.

Rates are exact fractions (``None`` when the denominator is zero); :func:`percent` shows one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from dialer.outcomes import RateGroup, disposition
from results.errors import ResultsError

Rate = Fraction | None

#: The rates in the order they are reported.
RATE_NAMES = ("RR1", "RR2", "RR3", "RR4", "RR5", "RR6", "COOP1", "COOP2", "COOP3", "COOP4",
              "REF1", "REF2", "REF3", "CON1", "CON2", "CON3")


@dataclass(frozen=True)
class GroupCounts:
    """Cases per AAPOR rate group."""

    I: int = 0  # noqa: E741  (AAPOR's own letter)
    P: int = 0
    R: int = 0
    NC: int = 0
    O: int = 0  # noqa: E741
    UH: int = 0
    UO: int = 0
    NE: int = 0

    @classmethod
    def of_codes(cls, codes: Mapping[str, int]) -> GroupCounts:
        """Counts from cases per disposition code (``{"1.1": 40, "3.13": 12}``).

        :raises DialerError: ``unknown_disposition`` for a code not in the AAPOR table.
        """
        groups: Counter[str] = Counter()
        for code, cases in codes.items():
            groups[disposition(code).group.value] += cases
        return cls(**{group.value: groups[group.value] for group in RateGroup})

    @classmethod
    def of_cases(cls, codes: Iterable[str]) -> GroupCounts:
        """Counts from one disposition code per case."""
        return cls.of_codes(Counter(codes))

    @property
    def total(self) -> int:
        return self.I + self.P + self.R + self.NC + self.O + self.UH + self.UO + self.NE

    @property
    def eligible(self) -> int:
        """Cases known to be eligible: I + P + R + NC + O."""
        return self.I + self.P + self.R + self.NC + self.O

    @property
    def unknown(self) -> int:
        """Cases of unknown eligibility: UH + UO."""
        return self.UH + self.UO


def estimate_e(counts: GroupCounts) -> Fraction | None:
    """The proportional estimate of ``e``: eligible / (eligible + not eligible) among the
    cases whose eligibility is known; None when no case's eligibility is known."""
    known = counts.eligible + counts.NE
    return None if known == 0 else Fraction(counts.eligible, known)


def as_e(value: float | str | Fraction) -> Fraction:
    """A given ``e`` as an exact fraction (``0.8`` is 4/5).

    :raises ResultsError: ``bad_e`` when it is not a number between 0 and 1.
    """
    try:
        e = value if isinstance(value, Fraction) else Fraction(str(value))
    except (ValueError, ZeroDivisionError):
        raise ResultsError("bad_e", f"e must be a number between 0 and 1, not {value!r}"
                           ) from None
    if not 0 <= e <= 1:
        raise ResultsError("bad_e", f"e must be between 0 and 1, not {value}")
    return e


def _ratio(numerator: Fraction | int, denominator: Fraction | int) -> Rate:
    return None if denominator == 0 else Fraction(numerator) / Fraction(denominator)


def outcome_rates(counts: GroupCounts, e: Fraction | None = None) -> dict[str, Rate]:
    """Every AAPOR rate of :data:`RATE_NAMES` for ``counts``.

    :param e: the share of unknown-eligibility cases taken as eligible; None estimates it
        (:func:`estimate_e`). The rates that use ``e`` (RR3, RR4, REF2, CON2) are None when it
        can be neither given nor estimated.
    """
    c = counts
    if e is None:
        e = estimate_e(c)
    interviews = c.I + c.P
    contacted = interviews + c.R + c.O
    base = interviews + c.R + c.NC + c.O
    weighted = None if e is None else base + e * c.unknown

    def with_e(numerator: int) -> Rate:
        return None if weighted is None else _ratio(numerator, weighted)

    contact_weighted = None if e is None else contacted + c.NC + e * c.unknown
    return {
        "RR1": _ratio(c.I, base + c.unknown),
        "RR2": _ratio(interviews, base + c.unknown),
        "RR3": with_e(c.I),
        "RR4": with_e(interviews),
        "RR5": _ratio(c.I, base),
        "RR6": _ratio(interviews, base),
        "COOP1": _ratio(c.I, contacted),
        "COOP2": _ratio(interviews, contacted),
        "COOP3": _ratio(c.I, interviews + c.R),
        "COOP4": _ratio(interviews, interviews + c.R),
        "REF1": _ratio(c.R, base + c.unknown),
        "REF2": with_e(c.R),
        "REF3": _ratio(c.R, base),
        "CON1": _ratio(contacted, contacted + c.NC + c.unknown),
        "CON2": None if contact_weighted is None else _ratio(contacted, contact_weighted),
        "CON3": _ratio(contacted, contacted + c.NC),
    }


def percent(rate: Rate, places: int = 1) -> str:
    """A rate as a percentage (``"45.2%"``), or an en dash when undefined."""
    if rate is None:
        return "–"
    return f"{float(rate) * 100:.{places}f}%"
