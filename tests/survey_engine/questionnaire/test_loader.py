"""Loading questionnaires: the contract's reference loads; every kind of mistake is reported
as FILE:LINE:COLUMN pointing at the offending key or value, all of them in one pass."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from survey_engine.errors import Diagnostic, QuestionnaireError
from survey_engine.questionnaire.loader import load, loads

DATA = Path(__file__).resolve().parents[2] / "data"

HEAD = """\
questionnaire: demo
version: 1
title: Demo
source_language: en
languages: [en, fr]
contact_fields:
  first_name: {type: text}
  email: {type: email, required: false}
questions:
"""


def problems(body: str, head: str = HEAD) -> list[Diagnostic]:
    with pytest.raises(QuestionnaireError) as caught:
        text = body if body.startswith("  - ") else textwrap.indent(textwrap.dedent(body), "  ")
        loads(head + text, "demo.yaml")
    return caught.value.diagnostics


def only(body: str, head: str = HEAD) -> Diagnostic:
    found = problems(body, head)
    assert len(found) == 1, found
    return found[0]


def test_reference_questionnaire_loads(reference_dir: Path) -> None:
    questionnaire = load(reference_dir / "energy-satisfaction.yaml")
    assert questionnaire.slug == "energy-satisfaction"
    assert questionnaire.version == 1
    assert [q.id for q in questionnaire.questions] == [
        "consent", "satisfaction", "reasons", "nps", "nps_why", "verify_email",
        "household_size", "region"]
    reasons = questionnaire.question("reasons")
    assert [(o.code, o.exclusive, o.fixed, o.specify) for o in reasons.options][-2:] == [
        (5, True, True, False), (6, False, True, True)]
    assert questionnaire.special_codes == {"dont_know": 98, "refused": 99}
    assert questionnaire.quotas[0].max_completes == 100


def test_yaml_syntax_error_points_at_the_problem() -> None:
    found = only("  - id: a\n    type: text\n    text: [unclosed\n")
    assert found.code == "yaml_syntax"
    assert (found.file, found.line) == ("demo.yaml", 13)
    assert str(found).startswith("demo.yaml:13:")


def test_unknown_key_suggests_the_right_one() -> None:
    found = only("  - id: a\n    type: text\n    text: Hi\n    max_lenght: 10\n")
    assert (found.line, found.column, found.code) == (13, 5, "unknown_key")
    assert "did you mean 'max_length'" in found.message


def test_key_of_another_question_type_is_unknown_there() -> None:
    found = only("  - id: a\n    type: nps\n    text: Hi\n    options: {1: A}\n")
    assert (found.line, found.code) == (13, "unknown_key")


def test_wrong_type_points_at_the_value() -> None:
    found = only("  - id: a\n    type: number\n    text: Hi\n    min: ten\n")
    assert (found.line, found.column) == (13, 10)
    assert "min" in found.message and "number" in found.message


@pytest.mark.parametrize(("written", "code"), [("01", "yaml11_number"), ("yes", "yaml11_key")])
def test_yaml11_traps_in_option_codes(written: str, code: str) -> None:
    found = only(f"  - id: a\n    type: single_choice\n    text: Hi\n"
                 f"    options: {{{written}: A, 2: B}}\n")
    assert found.code == code
    assert (found.line, found.column) == (13, 15)


def test_norway_problem_in_a_text_is_explained() -> None:
    found = only("  - id: a\n    type: text\n    text: no\n")
    assert "YAML 1.1 reads 'no' as the boolean false" in found.message
    assert (found.line, found.column) == (12, 11)


def test_duplicate_question_ids_and_option_codes() -> None:
    found = problems("""\
      - id: a
        type: single_choice
        text: Hi
        options: {1: A, 1: B}
      - id: a
        type: text
        text: Again
    """)
    codes = sorted((d.line, d.code) for d in found)
    assert codes == [(13, "duplicate_key"), (14, "duplicate_id")]
    assert "first on line 10" in next(d.message for d in found if d.code == "duplicate_id")


def test_expression_that_does_not_parse_points_inside_it() -> None:
    found = only("  - id: a\n    type: nps\n    text: Hi\n  - id: b\n    type: text\n"
                 "    text: Why\n    show_if: a <= = 6\n")
    assert found.code == "expression_syntax"
    assert (found.line, found.column) == (16, 19)


def test_unknown_name_in_expression_and_placeholder() -> None:
    found = problems("""\
      - id: score
        type: nps
        text: Score, {contact.first_nam}?
      - id: why
        type: text
        text: Why {scor}?
        show_if: scores <= 6 and contact.emial != ''
    """)
    messages = {(d.line, d.column): d.message for d in found}
    assert len(found) == 4
    assert "{contact.first_nam} is not a declared contact field" in messages[(12, 18)]
    assert "{scor} is not an earlier question" in messages[(15, 15)]
    assert "did you mean 'score'" in messages[(16, 14)]
    assert "contact.emial is not a declared contact field" in messages[(16, 30)]


def test_a_later_question_cannot_be_used() -> None:
    found = only("""\
      - id: a
        type: text
        text: Hi
        show_if: b == yes
      - id: b
        type: yes_no
        text: Ok?
    """)
    assert "asked later" in found.message


def test_special_codes_clash_with_option_codes() -> None:
    found = only("  - id: a\n    type: scale\n    text: Hi\n    options: {1: A, 99: B}\n")
    assert found.code == "code_clash"
    assert "refused (99)" in found.message
    assert (found.line, found.column) == (13, 21)


def test_min_above_max() -> None:
    found = only("  - id: a\n    type: number\n    text: Hi\n    min: 20\n    max: 1\n")
    assert (found.line, found.code) == (13, "min_above_max")


def test_multi_choice_selection_bounds() -> None:
    found = problems("  - id: a\n    type: multi_choice\n    text: Hi\n    options: {1: A, 2: B}\n"
                     "    min_selected: 3\n    max_selected: 2\n")
    assert {d.code for d in found} == {"min_above_max", "min_above_options"}


def test_invalid_language_codes() -> None:
    head = HEAD.replace("languages: [en, fr]", "languages: [en, xx, fr, fr]")
    found = problems("  - id: a\n    type: text\n    text: Hi\n", head)
    assert [(d.line, d.column, d.code) for d in found] == [
        (5, 17, "invalid_language"), (5, 25, "duplicate_language")]


def test_unknown_end_outcome() -> None:
    found = only("  - id: a\n    type: yes_no\n    text: Hi\n    end_if: not a\n"
                 "    end_outcome: screenout\n")
    assert (found.line, found.column) == (14, 18)
    assert "did you mean 'screened_out'" in found.message


def test_end_if_needs_an_outcome() -> None:
    found = only("  - id: a\n    type: yes_no\n    text: Hi\n    end_if: not a\n")
    assert found.code == "end_outcome_missing"


def test_unknown_question_type() -> None:
    found = only("  - id: a\n    type: multiple_choice\n    text: Hi\n    options: {1: A}\n")
    assert found.code == "unknown_type"
    assert "did you mean 'multi_choice'" in found.message


def test_reserved_word_as_id() -> None:
    found = only("  - id: contact\n    type: text\n    text: Hi\n")
    assert found.code == "reserved_id"


def test_verify_must_name_a_declared_field() -> None:
    found = only("  - id: v\n    type: verify\n    field: phone\n    text: Hi\n")
    assert found.code == "unknown_contact_field"


def test_placeholder_with_format_spec_is_refused() -> None:
    found = only("  - id: a\n    type: nps\n    text: Hi\n  - id: b\n    type: text\n"
                 "    text: Score {a:>3}\n")
    assert found.code == "placeholder"


def test_every_error_in_one_pass() -> None:
    with pytest.raises(QuestionnaireError) as caught:
        load(DATA / "broken.yaml")
    found = [(d.line, d.column, d.code) for d in caught.value.diagnostics]
    assert found == [
        (1, 16, "string_pattern_mismatch"),
        (2, 10, "int_type"),
        (3, 8, "string_type"),
        (5, 17, "invalid_language"),
        (5, 25, "duplicate_language"),
        (9, 17, "literal_error"),
        (10, 16, "unknown_placeholder"),
        (16, 18, "literal_error"),
        (17, 5, "missing_key"),
        (19, 5, "unknown_key"),
        (20, 15, "yaml11_number"),
        (20, 43, "code_clash"),
        (20, 57, "yaml11_key"),
        (21, 9, "duplicate_id"),
        (22, 11, "unknown_type"),
        (27, 10, "min_above_max"),
        (29, 26, "unknown_name"),
        (32, 31, "unknown_placeholder"),
        (35, 57, "unknown_key"),
        (36, 35, "expression_syntax"),
        (41, 20, "count_needs_multi_choice"),
    ]


def test_missing_file_and_bad_encoding(tmp_path: Path) -> None:
    with pytest.raises(QuestionnaireError) as caught:
        load(tmp_path / "absent.yaml")
    assert caught.value.diagnostics[0].code == "no_file"
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("title: Enquête".encode("latin-1"))
    with pytest.raises(QuestionnaireError) as caught:
        load(latin)
    assert caught.value.diagnostics[0].code == "encoding"


def test_not_a_mapping_and_empty() -> None:
    with pytest.raises(QuestionnaireError) as caught:
        loads("- a\n- b\n", "x.yaml")
    assert caught.value.diagnostics[0].code == "not_mapping"
    with pytest.raises(QuestionnaireError) as caught:
        loads("", "x.yaml")
    assert caught.value.diagnostics[0].code == "empty_file"
