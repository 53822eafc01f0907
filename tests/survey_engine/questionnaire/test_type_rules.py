"""Rules a question type checks at load time: settings that would make a question
impossible to answer are errors, pointed at the setting."""

from __future__ import annotations

from survey_engine.errors import Diagnostic
from tests.survey_engine.questionnaire.test_loader import only


def test_an_integer_question_needs_a_whole_number_in_its_range() -> None:
    found: Diagnostic = only("""\
        - id: size
          type: number
          text: How many?
          integer: true
          min: 1.5
          max: 1.7
        """)
    assert (found.line, found.column, found.code) == (14, 10, "no_integer_in_range")
    assert "no whole number lies between min (1.5) and max (1.7)" in found.message


def test_bounds_beyond_the_engine_range() -> None:
    found = only("""\
        - id: size
          type: number
          text: How many?
          max: 1000000000000000000
        """)
    assert (found.line, found.code) == (13, "bound_too_large")


def test_an_exclusive_option_needs_min_selected_of_one() -> None:
    found = only("""\
        - id: brands
          type: multi_choice
          text: Which?
          min_selected: 2
          options:
            1: Alpha
            2: Beta
            3: {label: None of these, exclusive: true}
        """)
    assert (found.line, found.code) == (17, "exclusive_below_min")
    assert "option 3 is exclusive" in found.message
