"""Answers as an agent types them, and values a script or a client sends: what is not a
usable answer is refused with the question's message, never stored, never a crash."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from survey_engine.i18n.formatting import parse_number
from tests.survey_engine.interview.test_engine import start


@pytest.mark.parametrize(("language", "typed", "number"), [
    ("fr", "2,5", Decimal("2.5")),
    ("fr", "1 234,5", Decimal("1234.5")),           # ordinary space for French grouping
    ("fr", "1\u202f234,5", Decimal("1234.5")),      # the narrow no-break space CLDR writes
    ("ru", "−3", Decimal("-3")),                    # the minus sign of formatted text
    ("nl", "1.234,5", Decimal("1234.5")),
    ("en", "1,234.5", Decimal("1234.5")),
    ("tr", "12", Decimal("12")),
])
def test_numbers_typed_the_local_way(language: str, typed: str, number: Decimal) -> None:
    assert parse_number(typed, language) == number


@pytest.mark.parametrize(("language", "typed"), [
    ("fr", "2.5"),       # not a French decimal: "1.000" would silently become 1
    ("fr", "1.000"),
    ("sq", "2.5"),
    ("nl", "2.5"),       # Dutch groups with '.', so this could be 25
    ("en", "2,5"),
    ("en", "1,23"),      # not a thousands group
    ("en", "1_5"),       # Python's digit separator
    ("en", "1e1"),       # exponent
    ("en", "NaN"),
    ("en", "Infinity"),
    ("en", "1e999999"),
    ("en", "²"),         # a digit to str.isdigit, not a number
    ("en", "٣"),         # an Arabic-Indic digit
    ("en", "10000000000000000"),  # beyond any survey's range
    ("en", ""),
    ("en", "-"),
])
def test_what_is_not_a_number_in_the_language_is_refused(language: str, typed: str) -> None:
    assert parse_number(typed, language) is None


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan, Decimal("Infinity"),
                                   Decimal("NaN"), 1e400, 10 ** 20, "1e999999", "Infinity"])
def test_non_finite_or_huge_numbers_are_refused(value: object) -> None:
    interview = start()
    interview.answer(None)
    interview.answer([1])
    step = interview.answer(value)
    assert not step.accepted and step.message == "Please give a number."
    assert "spend" not in interview.answers


@pytest.mark.parametrize("typed", ["²", "١", "1²"])
def test_unicode_digits_are_not_option_codes(typed: str) -> None:
    interview = start()
    interview.answer(None)
    step = interview.answer_text(typed)
    assert not step.accepted
    assert step.message == "Please choose one of the options read out."


def test_details_of_an_option_typed_after_a_colon() -> None:
    interview = start()
    interview.answer(None)
    assert not interview.answer_text("2 6").accepted  # 'Other' needs its details
    step = interview.answer_text("2, 6: a shop in Ghent")
    assert step.accepted
    assert interview.answers["brands"] == [2, {"code": 6, "specify": "a shop in Ghent"}]


def test_details_given_to_an_option_that_takes_none_are_refused() -> None:
    interview = start()
    interview.answer(None)
    step = interview.answer_text("2: something")
    assert not step.accepted and step.message == "“Beta” takes no details."
