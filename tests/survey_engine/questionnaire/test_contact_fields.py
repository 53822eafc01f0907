"""Contact fields: values checked by type, and phone numbers that agents never see whole."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from survey_engine.errors import QuestionnaireError
from survey_engine.i18n.catalog import source_wording
from survey_engine.interview import Interview
from survey_engine.questionnaire.contact import ContactValueError, mask_phone, normalize
from survey_engine.questionnaire.loader import loads
from survey_engine.questionnaire.model import ContactField

FULL_NUMBER = re.compile(r"\+?\d[\d\s]{7,}\d")


@pytest.mark.parametrize(("number", "masked"), [
    ("+32470123467", "+32 4•• •• •• 67"),
    ("+32 2 512 34 56", "+32 2 ••• •• 56"),
    ("+15145550123", "+1 5••-•••-••23"),
    ("+905321234567", "+90 5•• ••• •• 67"),
])
def test_masked_phone_keeps_only_what_an_agent_may_read(number: str, masked: str) -> None:
    assert mask_phone(number) == masked
    assert not FULL_NUMBER.search(mask_phone(number))


@pytest.mark.parametrize(("kind", "value", "expected"), [
    ("email", " Marie@Example.be ", "Marie@example.be"),
    ("phone", "+32 470 12 34 67", "+32470123467"),
    ("date", "2019-03-01", dt.date(2019, 3, 1)),
    ("number", "2.50", __import__("decimal").Decimal("2.50")),
])
def test_values_normalized_by_type(kind: str, value: str, expected: object) -> None:
    assert normalize(ContactField("f", kind), value) == expected


@pytest.mark.parametrize(("kind", "value", "reason"), [
    ("email", "not an e-mail", "email"),
    ("phone", "0470 12 34 67", "phone"),
    ("phone", "+32 1", "phone"),
    ("date", "01/03/2019", "date"),
    ("number", "lots", "number"),
])
def test_bad_values_refused_with_a_reason(kind: str, value: str, reason: str) -> None:
    with pytest.raises(ContactValueError) as caught:
        normalize(ContactField("f", kind), value)
    assert caught.value.reason == reason


SURVEY = """\
questionnaire: sealed
version: 1
title: Sealed
source_language: en
languages: [en]
contact_fields:
  phone: {type: phone}
  email: {type: email}
questions:
  - id: check_email
    type: verify
    field: email
    text: Is {contact.email} still right?
  - id: still_best
    type: yes_no
    text: Is {contact.phone} still the best number? You confirmed {check_email}.
"""


def test_phone_piped_masked_and_confirmed_verify_piped_as_on_file() -> None:
    questionnaire = loads(SURVEY, "sealed.yaml")
    interview = Interview.start(questionnaire, source_wording(questionnaire),
                                {"phone": "+32470123467", "email": "a@b.be"}, seed="x")
    interview.answer({"confirmed": True})
    text = interview.current().text  # type: ignore[union-attr]
    assert text == "Is +32 4•• •• •• 67 still the best number? You confirmed a@b.be."
    assert not FULL_NUMBER.search(repr(interview.current()))  # what the agent is shown


def test_a_phone_number_can_never_be_verified_nor_typed() -> None:
    with pytest.raises(QuestionnaireError) as caught:
        loads(SURVEY.replace("field: email", "field: phone"), "sealed.yaml")
    (problem,) = caught.value.diagnostics
    assert problem.code == "verify_phone_forbidden"
    assert (problem.line, problem.column) == (12, 12)
