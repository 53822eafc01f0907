"""What arrives from outside the engine is not trusted: answers from a web form or a script,
and interview states coming back from a browser, a queue or a database. Anything the engine
would not have produced itself is refused with its own error, never a crash, and never
silently taken."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

import pytest

from survey_engine.errors import InterviewError
from survey_engine.expressions import DONT_KNOW, REFUSED
from survey_engine.i18n.catalog import source_wording
from survey_engine.interview import Interview
from survey_engine.questionnaire.loader import loads
from survey_engine.questionnaire.model import Questionnaire

SURVEY = """\
questionnaire: untrusted
version: 2
title: Untrusted input
source_language: en
languages: [en]
contact_fields:
  first_name: {type: text}
  email: {type: email, required: false}
  since: {type: date, required: false}
  region: {type: text, required: false}
questions:
  - id: welcome
    type: info
    text: Hello {contact.first_name}.
  - id: age
    type: number
    text: Your age?
    integer: true
    min: 18
    max: 99
    end_if: age < 21
    end_outcome: screened_out
  - id: sector
    type: multi_choice
    text: Sectors?
    randomize: true
    options:
      1: Retail
      2: Transport
      3: {label: Other, specify: true, fixed: true}
      4: {label: None, exclusive: true, fixed: true}
  - id: sat
    type: scale
    text: Satisfied?
    options: {1: 'No', 2: Somewhat, 3: 'Yes'}
    allow: [dont_know]
  - id: nps
    type: nps
    text: Recommend?
  - id: since_when
    type: date
    text: Since when?
  - id: mail
    type: verify
    field: email
    text: Still {contact.email}?
    show_if: contact.email != ''
  - id: why
    type: text
    text: Why {nps}?
    max_length: 20
  - id: again
    type: yes_no
    text: Again?
quotas:
  - id: north
    when: contact.region == 'north'
    max_completes: 0
"""

CONTACT = {"first_name": "Ana", "email": "ana@example.be", "since": "2019-03-01"}
GOOD = [None, 30, [2, {"code": 3, "specify": "Mining"}], DONT_KNOW, 9, "2020-05-01",
        {"confirmed": True}, "Fine", True]
JUNK: list[Any] = [None, True, False, 0, -1, 2.5, math.inf, math.nan, 10 ** 30, "", "x",
                   "2020-13-45", "20200501", [], [1, 1], [[1]], [None], {}, {"code": "1"},
                   {"code": 3, "specify": 5}, {"special": "bogus"}, {"confirmed": False},
                   {"corrected": 5}, {"corrected": "not an address"}, Decimal("NaN"),
                   {"a": {"b": {"c": []}}}, "x" * 10_000, REFUSED, object()]


@pytest.fixture(scope="module")
def questionnaire() -> Questionnaire:
    return loads(SURVEY, "untrusted.yaml")


def start(questionnaire: Questionnaire, **changes: Any) -> Interview:
    return Interview.start(questionnaire, source_wording(questionnaire),
                           {**CONTACT, **changes}, seed="s")


def walk(questionnaire: Questionnaire, answers: list[Any]) -> Interview:
    interview = start(questionnaire)
    for value in answers:
        assert interview.answer(value).accepted, (interview.current(), value)
    return interview


def test_a_good_walk_completes(questionnaire: Questionnaire) -> None:
    assert walk(questionnaire, GOOD).outcome == "complete"


@pytest.mark.parametrize("position", range(1, len(GOOD)))
def test_junk_answers_are_refused_and_change_nothing(questionnaire: Questionnaire,
                                                     position: int) -> None:
    interview = walk(questionnaire, GOOD[:position])
    before = interview.to_json()
    question = interview.current()
    assert question is not None
    for value in JUNK:
        if question.type == "info" and value is None:
            continue
        step = interview.answer(value)
        if step.accepted:  # the few junk values a question may take, e.g. text "x"
            interview.back()
        else:
            assert step.message, (question.question_id, value)
        assert interview.to_json() == before, (question.question_id, value)


def test_a_state_round_trips(questionnaire: Questionnaire) -> None:
    interview = walk(questionnaire, GOOD[:5])
    again = Interview.resume(questionnaire, source_wording(questionnaire), interview.to_json())
    assert again.to_json() == interview.to_json()
    assert again.current() == interview.current()
    for value in GOOD[5:]:
        assert again.answer(value).accepted
    assert again.outcome == "complete"


def tampered(questionnaire: Questionnaire, change: Any, upto: int = 5) -> str:
    state = json.loads(walk(questionnaire, GOOD[:upto]).to_json())
    change(state)
    return json.dumps(state)


TAMPERING = {
    "answer out of range": lambda s: s["answers"].update(age=500),
    "answer that should have ended it": lambda s: s["answers"].update(age=19),
    "exclusive option combined": lambda s: s["answers"].update(sector=[1, 4]),
    "unknown option": lambda s: s["answers"].update(sector=[77]),
    "special not allowed": lambda s: s["answers"].update(nps={"special": "refused"}),
    "unknown special": lambda s: s["answers"].update(sat={"special": "bogus"}),
    "number as text": lambda s: s["answers"].update(age="abc"),
    "list for a number": lambda s: s["answers"].update(age=[30]),
    "unknown question answered": lambda s: s["answers"].update(ghost=1),
    "answer without history": lambda s: s["answers"].update(why="x"),
    "skipped question": lambda s: s.update(current="why"),
    "unknown current": lambda s: s.update(current="ghost"),
    "history repeats": lambda s: s["history"].append("age"),
    "history unknown": lambda s: s["history"].insert(1, "ghost"),
    "outcome while running": lambda s: s.update(outcome="complete"),
    "other catalog": lambda s: s.update(catalog_sha256="0" * 64),
    "other version": lambda s: s.update(version=1),
    "version as text": lambda s: s.update(version="2"),
    "other language": lambda s: s.update(language="fr"),
    "history as text": lambda s: s.update(history="welcome"),
    "counts as text": lambda s: s.update(quota_counts={"north": "1"}),
    "unknown quota": lambda s: s.update(quota_counts={"south": 1}),
    "forged order": lambda s: s["orders"].update(sector=[4, 3, 2, 1]),
    "contact not a mapping": lambda s: s.update(contact=None),
    "contact field wrong": lambda s: s["contact"].update(since=20190301),
    "extra key": lambda s: s.update(admin=True),
}


@pytest.mark.parametrize("change", TAMPERING.values(), ids=TAMPERING.keys())
def test_a_tampered_state_is_refused(questionnaire: Questionnaire, change: Any) -> None:
    with pytest.raises(InterviewError) as caught:
        Interview.resume(questionnaire, source_wording(questionnaire),
                         tampered(questionnaire, change))
    assert caught.value.code in {"bad_state", "wrong_questionnaire", "wrong_language",
                                 "catalog_changed", "bad_contact", "bad_quota_counts"}


@pytest.mark.parametrize("document", ["", "null", "5", "[]", "{}", "[" * 100_000,
                                      '{"format": true}'])
def test_what_is_not_a_state_is_refused(questionnaire: Questionnaire, document: str) -> None:
    with pytest.raises(InterviewError) as caught:
        Interview.resume(questionnaire, source_wording(questionnaire), document)
    assert caught.value.code == "bad_state"


def test_a_full_quota_ends_the_interview_before_the_first_question(
        questionnaire: Questionnaire) -> None:
    interview = start(questionnaire, region="north")
    assert interview.outcome == "quota_full" and interview.current() is None
    assert start(questionnaire, region="south").current() is not None


@pytest.mark.parametrize("counts", [{"south": 1}, {"north": -1}, {"north": "1"},
                                    {"north": True}, [("north", 1)]])
def test_quota_counts_are_checked(questionnaire: Questionnaire, counts: Any) -> None:
    with pytest.raises(InterviewError) as caught:
        Interview.start(questionnaire, source_wording(questionnaire), CONTACT, seed="s",
                        quota_counts=counts)
    assert caught.value.code == "bad_quota_counts"


@pytest.mark.parametrize("contact", [None, [1], "Ana", {**CONTACT, "since": 20190301},
                                     {**CONTACT, "since": "20190301"}])
def test_a_contact_that_does_not_fit_is_refused(questionnaire: Questionnaire,
                                                contact: Any) -> None:
    with pytest.raises(InterviewError) as caught:
        Interview.start(questionnaire, source_wording(questionnaire), contact, seed="s")
    assert caught.value.code == "bad_contact"


def test_a_verify_question_answered_from_a_keyboard(questionnaire: Questionnaire) -> None:
    interview = walk(questionnaire, GOOD[:6])
    assert interview.current().question_id == "mail"  # type: ignore[union-attr]
    assert not interview.answer_text("not an address").accepted
    assert interview.answer_text("").accepted
    assert interview.answers["mail"] == {"confirmed": True}
    interview.back()
    assert interview.answer_text(" Ana.New@Example.BE ").accepted
    assert interview.answers["mail"] == {"corrected": "Ana.New@example.be"}
