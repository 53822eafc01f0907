"""Rules of choice questions checked at load time: ``fixed`` options of a shuffled list keep
their place at the end, so one written before a shuffled option is an error at that option."""

from __future__ import annotations

import pytest

from survey_engine.questionnaire.loader import loads
from tests.survey_engine.questionnaire.test_loader import HEAD, only, problems


@pytest.mark.parametrize("kind", ["single_choice", "scale", "multi_choice"])
def test_a_fixed_option_before_a_shuffled_one_is_an_error_at_that_option(kind: str) -> None:
    found = only(f"""\
        - id: heard
          type: {kind}
          text: How did you hear of us?
          randomize: true
          options:
            1: Friends
            2: {{label: Another way, fixed: true}}
            3: Advertisement
        """)
    assert (found.line, found.column, found.code) == (16, 10, "fixed_not_at_end")
    assert found.message == ("fixed options stay at the end of a shuffled list: move option 2 "
                             "after the others")


def test_every_misplaced_fixed_option_is_reported() -> None:
    found = problems("""\
        - id: heard
          type: multi_choice
          text: How did you hear of us?
          randomize: true
          options:
            1: {label: None of these, fixed: true, exclusive: true}
            2: Friends
            3: {label: Another way, fixed: true}
            4: Advertisement
            5: {label: Do not remember, fixed: true}
        """)
    assert [(d.line, d.code) for d in found] == [(15, "fixed_not_at_end"),
                                                  (17, "fixed_not_at_end")]


def test_fixed_options_at_the_end_load() -> None:
    questionnaire = loads(HEAD + """\
  - id: heard
    type: multi_choice
    text: How did you hear of us?
    randomize: true
    options:
      1: Friends
      2: Advertisement
      3: {label: None of these, fixed: true, exclusive: true}
      4: {label: Another way, fixed: true, specify: true}
""", "demo.yaml")
    assert [o.fixed for o in questionnaire.question("heard").options] == [
        False, False, True, True]


def test_without_randomize_fixed_options_may_stand_anywhere() -> None:
    questionnaire = loads(HEAD + """\
  - id: heard
    type: single_choice
    text: How did you hear of us?
    options:
      1: {label: Another way, fixed: true}
      2: Friends
""", "demo.yaml")
    assert questionnaire.question("heard").options[0].fixed


def test_exclusive_is_still_refused_on_a_single_choice_and_accepted_on_a_multi_choice() -> None:
    found = only("""\
        - id: heard
          type: single_choice
          text: How did you hear of us?
          options:
            1: Friends
            2: {label: None of these, exclusive: true}
        """)
    assert found.code == "exclusive_single"
    loads(HEAD + """\
  - id: heard
    type: multi_choice
    text: How did you hear of us?
    options:
      1: Friends
      2: {label: None of these, exclusive: true}
""", "demo.yaml")
