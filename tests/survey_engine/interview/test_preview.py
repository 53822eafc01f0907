"""An author's preview of any question (``Interview.preview``): read as an agent will read it,
whether or not the answers so far lead to it, with contact fields piped and each answer not
given yet shown by the marker asked for."""

from __future__ import annotations

from survey_engine.i18n.catalog import source_wording
from survey_engine.interview.engine import Interview
from survey_engine.questionnaire.loader import loads

SURVEY = """\
questionnaire: preview-test
version: 1
title: Preview test
source_language: en
languages: [en]
contact_fields:
  first_name: {type: text}
  mobile: {type: phone}
intro: Hello {contact.first_name}.
closing: Thanks for choosing {colour}.
questions:
  - id: colour
    type: single_choice
    text: Which colour, {contact.first_name}?
    randomize: true
    options: {1: Red, 2: Blue, 3: Green, 4: {label: None of them, fixed: true}}
    end_if: colour == 4
    end_outcome: screened_out
  - id: why
    type: text
    text: Why {colour}? Is {contact.mobile} your number?
    show_if: colour == 1
"""


def start() -> Interview:
    questionnaire = loads(SURVEY, "preview.yaml")
    return Interview.start(questionnaire, source_wording(questionnaire),
                           {"first_name": "Ana", "mobile": "+32470123456"}, seed="s")


def mark(name: str) -> str:
    return f"[{name}]"


def test_a_question_the_flow_has_not_reached_is_previewed_with_markers() -> None:
    interview = start()
    prompt = interview.preview("why", mark)
    assert prompt.number == 2 and prompt.type == "text"
    assert prompt.text == "Why [colour]? Is +32 4•• •• •• 56 your number?"
    assert interview.current() is not None and interview.current().question_id == "colour"
    assert interview.intro(mark) == "Hello Ana."
    assert interview.closing(mark) == "Thanks for choosing [colour]."
    assert interview.closing() == "Thanks for choosing ."  # what the console would read


def test_options_are_in_the_respondents_order_with_fixed_ones_in_place() -> None:
    interview = start()
    prompt = interview.preview("colour", mark)
    assert prompt.text == "Which colour, Ana?"
    codes = [option.code for option in prompt.options]
    assert sorted(codes) == [1, 2, 3, 4] and codes[-1] == 4
    assert codes == [option.code for option in interview.current().options]


def test_an_answer_given_is_piped_into_the_preview() -> None:
    interview = start()
    step = interview.answer(2)
    assert step.accepted and interview.outcome == "complete"  # why is skipped
    assert interview.preview("why", mark).text.startswith("Why Blue?")
