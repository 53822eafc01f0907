"""Piped values are written the way the interview language writes them (CLDR via Babel)."""

from __future__ import annotations

import datetime as dt

import pytest

from survey_engine.i18n import formatting
from survey_engine.i18n.catalog import source_wording
from survey_engine.interview import Interview
from tests.survey_engine.interview.test_engine import CONTACT, survey


def intro(lang: str) -> str:
    questionnaire = survey(lang)
    return Interview.start(questionnaire, source_wording(questionnaire), CONTACT,
                           seed="v").intro()


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", "Hello Ayşe, client since 1 March 2019, balance 1,234.5."),
    ("fr", "Hello Ayşe, client since 1 mars 2019, balance 1\u202f234,5."),
    ("nl", "Hello Ayşe, client since 1 maart 2019, balance 1.234,5."),
    ("ru", "Hello Ayşe, client since 1 марта 2019\u202fг., balance 1\xa0234,5."),
    ("tr", "Hello Ayşe, client since 1 Mart 2019, balance 1.234,5."),
    ("sq", "Hello Ayşe, client since 1 mars 2019, balance 1\xa0234,5."),
])
def test_contact_values_piped_in_the_interview_language(lang: str, expected: str) -> None:
    assert intro(lang) == expected


def test_cldr_conventions_chosen_on_purpose() -> None:
    assert formatting.percent(0.25, "tr") == "%25"
    assert formatting.number(1234.5, "fr") == "1\u202f234,5"  # narrow no-break space
    assert formatting.short_time(dt.time(14, 5), "sq") == "14:05"  # not "2:05 e pasdites"
    assert formatting.long_date(dt.date(2019, 3, 1), "ru") == "1 марта 2019\u202fг."  # genitive


def test_decimal_input_read_the_local_way() -> None:
    assert str(formatting.parse_number("2,5", "fr")) == "2.5"
    assert str(formatting.parse_number("2,5", "tr")) == "2.5"
    assert formatting.parse_number("2.5", "nl") is None
    assert str(formatting.parse_number("2.5", "en")) == "2.5"


def test_answers_are_codes_never_lower_cased_labels() -> None:
    # Turkish dotted/dotless i: "I".lower() is "i" in Python but "ı" in Turkish. Labels are
    # never matched; a typed label is refused and only the code is the answer.
    questionnaire = survey("tr")
    interview = Interview.start(questionnaire, source_wording(questionnaire), CONTACT,
                                seed="i")
    interview.answer(None)
    assert not interview.answer_text("delta").accepted
    assert interview.answer_text("4").accepted
    assert interview.answers["brands"] == [4]
