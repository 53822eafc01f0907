"""Numbers and prefixes as the dialer stores them: E.164, checked with phonenumbers, so that a
listed number or an exclusion can match the contacts it is meant for."""

from __future__ import annotations

import pytest

from dialer.phones import NumberRefused, check_number, check_prefix, international_number

CALLABLE = {"allowed_countries": ["BE", "NL", "FR", "US"],
            "allowed_types": ["mobile", "fixed_line", "fixed_line_or_mobile"]}


@pytest.mark.parametrize(("written", "stored"), [
    ("+32 (0)470 12 34 56", "+32470123456"),
    ("+32 470 12 34 56", "+32470123456"),
    ("+32 471", "+32471"),
    ("+32 (0)471", "+32471"),
    ("+1 212", "+1212"),
    ("+3247012345", "+3247012345"),
])
def test_prefixes_are_stored_as_e164_numbers_begin(written: str, stored: str) -> None:
    assert check_prefix(written) == stored


@pytest.mark.parametrize(("written", "problem"), [
    ("+32 0471", "national prefix 0"),
    ("+32 470 12 34 567 8", "not a valid one"),
    ("+999 1", "country code"),
    ("0471", "international form"),
    ("+32 47a", "international form"),
])
def test_prefixes_that_could_match_nothing_are_refused(written: str, problem: str) -> None:
    with pytest.raises(NumberRefused) as refused:
        check_prefix(written)
    assert refused.value.reason == "prefix" and problem in str(refused.value)


def test_do_not_call_entries_are_whole_numbers() -> None:
    assert international_number("+32 (0)470 12 34 56") == "+32470123456"
    for partial in ("+32 471", "0470 12 34 56", "call me"):
        with pytest.raises(NumberRefused) as refused:
            international_number(partial)
        assert refused.value.reason == "invalid_number"


@pytest.mark.parametrize(("number", "reason"), [
    ("+32 902 12 345", "premium_rate"),
    ("+33 810 12 34 56", "shared_cost"),
    ("+49 30 123456", "country"),
    ("+32 800 12 345", "number_type"),
    ("+32 12", "invalid_number"),
])
def test_numbers_the_dialer_never_calls(number: str, reason: str) -> None:
    with pytest.raises(NumberRefused) as refused:
        check_number(number, **CALLABLE)
    assert refused.value.reason == reason


def test_a_callable_number_with_its_zone_and_masked_form() -> None:
    checked = check_number("0470 12 34 67", default_country="BE", **CALLABLE)
    assert (checked.e164, checked.country, checked.time_zones, checked.masked) == (
        "+32470123467", "BE", ("Europe/Brussels",), "+32 4•• •• •• 67")
