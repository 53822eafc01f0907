"""AAPOR rates against a case worked by hand from the Standard Definitions' formulas (the
arithmetic is in the comments), from counts and from disposition codes."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from dialer.errors import DialerError
from results.errors import ResultsError
from results.rates import GroupCounts, as_e, estimate_e, outcome_rates, percent

# I=400 P=50 R=200 NC=150 O=50 UH=100 UO=50 NE=100
HAND = GroupCounts(I=400, P=50, R=200, NC=150, O=50, UH=100, UO=50, NE=100)


def test_every_rate_matches_the_hand_worked_case() -> None:
    # eligible = I+P+R+NC+O = 400+50+200+150+50 = 850; unknown = UH+UO = 150
    # e = eligible / (eligible + NE) = 850 / 950 = 17/19
    assert estimate_e(HAND) == F(17, 19)
    # e(UH+UO) = 150 * 17/19 = 2550/19; 850 + 2550/19 = 18700/19
    rates = outcome_rates(HAND)
    assert rates == {
        "RR1": F(400, 1000),             # I / (850 + 150)
        "RR2": F(450, 1000),             # (I+P) / 1000
        "RR3": F(400 * 19, 18700),       # I / (18700/19) = 76/187
        "RR4": F(450 * 19, 18700),       # 171/374
        "RR5": F(400, 850),              # I / (I+P+R+NC+O)
        "RR6": F(450, 850),
        "COOP1": F(400, 700),            # I / (I+P+R+O) = 400 / (450+200+50)
        "COOP2": F(450, 700),
        "COOP3": F(400, 650),            # I / (I+P+R)
        "COOP4": F(450, 650),
        "REF1": F(200, 1000),            # R / (I+P+R+NC+O+UH+UO)
        "REF2": F(200 * 19, 18700),      # R / (850 + e*150) = 38/187
        "REF3": F(200, 850),
        "CON1": F(700, 1000),            # (I+P+R+O) / (700 + NC 150 + 150)
        "CON2": F(700 * 19, 18700),      # 700 / (700 + 150 + 2550/19) = 133/187
        "CON3": F(700, 850),             # 700 / (700 + 150)
    }
    assert rates["RR3"] == F(76, 187) and rates["CON2"] == F(133, 187)
    assert percent(rates["RR3"]) == "40.6%"


def test_a_given_e_replaces_the_estimate() -> None:
    rates = outcome_rates(HAND, as_e("0.5"))
    assert rates["RR3"] == F(400, 925)     # 400 / (850 + 0.5 * 150) = 16/37
    assert rates["REF2"] == F(200, 925)
    assert rates["CON2"] == F(700, 925)    # 700 / (700 + 150 + 75)
    assert outcome_rates(HAND, F(0))["RR3"] == rates["RR5"]   # e = 0: unknowns left out
    assert outcome_rates(HAND, F(1))["RR3"] == rates["RR1"]   # e = 1: all counted


def test_codes_are_counted_in_their_rate_groups() -> None:
    counts = GroupCounts.of_codes({"1.1": 400, "1.2": 50, "2.111": 120, "2.112": 50,
                                   "2.12": 30, "2.21": 100, "2.221": 50, "2.332": 50,
                                   "3.13": 70, "3.12": 30, "3.21": 50, "4.31": 60, "4.70": 40})
    assert counts == HAND
    assert GroupCounts.of_cases(["1.1", "1.1", "4.80"]) == GroupCounts(I=2, NE=1)
    with pytest.raises(DialerError) as error:
        GroupCounts.of_codes({"9.9": 1})
    assert error.value.code == "unknown_disposition"


def test_undefined_rates_are_none_not_zero() -> None:
    nothing = outcome_rates(GroupCounts())
    assert set(nothing.values()) == {None}
    assert percent(None) == "–"
    only_unknown = GroupCounts(UH=10)     # no eligibility known: e cannot be estimated
    assert estimate_e(only_unknown) is None
    rates = outcome_rates(only_unknown)
    assert rates["RR1"] == 0 and rates["RR3"] is None and rates["RR5"] is None


@pytest.mark.parametrize("value", ["1.5", "-0.1", "much", "1/0"])
def test_a_bad_e_is_refused(value: str) -> None:
    with pytest.raises(ResultsError) as error:
        as_e(value)
    assert error.value.code == "bad_e"
