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


def test_quotas_are_checked_even_when_a_question_is_broken() -> None:
    found = problems(
        "  - id: region\n    type: single_choice\n    text: Region?\n"
        "    options: {1: North, 2: South}\n    bogus: 1\n"
        "quotas:\n"
        "  - id: north\n    when: regionn == 1\n    max_completes: 10\n"
        "  - id: north\n    when: region == 1 and contact.emial == ''\n"
        "  - id: south\n    when: contact.email > 3\n    max_completes: 10\n")
    assert [(d.line, d.column, d.code) for d in found] == [
        (14, 5, "unknown_key"), (17, 11, "unknown_name"), (19, 5, "missing_key"),
        (20, 27, "unknown_contact_field"), (22, 25, "compare_types")]
    assert "did you mean 'region'" in found[1].message


def test_every_bad_placeholder_of_a_text_is_reported_at_its_column() -> None:
    found = problems("""\
      - id: x
        type: nps
        text: Score?
      - id: a
        type: text
        text: X {zz} {later} {x} {0} {} {contact.nope} {hh:>5}
      - id: later
        type: nps
        text: Later?
    """)
    assert [(d.line, d.column, d.code, d.message) for d in found] == [
        (15, 13, "unknown_placeholder", "text: {zz} is not an earlier question with an answer"),
        (15, 18, "unknown_placeholder", "text: {later} is asked later; only earlier questions "
                                        "can be piped here"),
        (15, 30, "placeholder", "text: {0} is not a placeholder: write {question_id} or "
                                "{contact.field}"),
        (15, 34, "placeholder", "text: {} is not a placeholder: write {question_id} or "
                                "{contact.field}"),
        (15, 37, "unknown_placeholder", "text: {contact.nope} is not a declared contact field "
                                        "(did you mean {contact.email}?)"),
        (15, 52, "placeholder", "text: {hh}: placeholders take no format or conversion"),
    ]


def test_placeholder_column_in_a_quoted_text_with_leading_blanks() -> None:
    found = only("  - id: a\n    type: text\n    text: '  Hi {x}'\n")
    assert (found.line, found.column, found.code) == (12, 17, "unknown_placeholder")


def test_a_question_with_a_duplicate_id_is_still_checked_in_full() -> None:
    found = problems("""\
      - id: a
        type: text
        text: Hi
      - id: a
        type: multi_choice
        text: Hi {zz}
        options: {1: A}
        min_selected: 3
        max_selected: 2
    """)
    assert [(d.line, d.column, d.code) for d in found] == [
        (13, 9, "duplicate_id"), (15, 14, "unknown_placeholder"), (17, 19, "min_above_max"),
        (17, 19, "min_above_options"), (18, 19, "max_above_options")]


def test_an_option_code_that_is_not_whole_is_reported_at_the_code() -> None:
    found = only("  - id: a\n    type: single_choice\n    text: Hi\n    options:\n"
                 "      1: A\n      2.0: B\n")
    assert (found.line, found.column, found.code) == (15, 7, "invalid_key")
    assert found.message == "option codes are whole numbers, not '2.0'"


@pytest.mark.parametrize("written", ["y", "n", "Y", "off"])
def test_boolean_words_as_option_codes_get_the_yaml11_message(written: str) -> None:
    found = only(f"  - id: a\n    type: single_choice\n    text: Hi\n    options:\n"
                 f"      1: A\n      {written}: B\n")
    assert (found.line, found.column, found.code) == (15, 7, "yaml11_key")
    assert f"the key {written!r} is read by YAML 1.1 as " in found.message


def test_a_bare_label_yaml_reads_as_a_boolean() -> None:
    found = only("  - id: a\n    type: single_choice\n    text: Hi\n    options:\n"
                 "      1: Yes\n      2: 'No'\n")
    assert (found.line, found.column) == (14, 10)
    assert found.message == ("option 1: the label must be text or a mapping (label:, fixed:, "
                             "...), got True (YAML 1.1 reads 'Yes' as the boolean true; quote "
                             "it: 'Yes')")


def test_list_items_are_named_by_key_and_index() -> None:
    found = only("  - id: a\n    type: text\n    text: Hi\n    allow: [dont_know, maybe]\n")
    assert (found.line, found.column) == (13, 24)
    assert found.message.startswith("allow[1]: 'maybe' is not one of 'dont_know' or 'refused'")
    head = HEAD.replace("languages: [en, fr]", "languages: [en, no]")
    found = only("  - id: a\n    type: text\n    text: Hi\n", head)
    assert (found.line, found.column) == (5, 17)
    assert found.message.startswith("languages[1]: expected text, got False (YAML 1.1 reads "
                                    "'no' as the boolean false")


@pytest.mark.parametrize(("code", "message"), [
    ("EN", "'EN': write 'en' (language codes are case-sensitive here)"),
    ("fr-fr", "'fr-fr': write 'fr-FR' (language codes are case-sensitive here)"),
    ("und", "'und' (undetermined) is not a language a questionnaire can be fielded in"),
    ("mul", "'mul' (multiple languages) is not a language a questionnaire can be fielded in"),
    ("zxx", "'zxx' (no linguistic content) is not a language a questionnaire can be fielded "
            "in"),
    ("mis", "'mis' (uncoded languages) is not a language a questionnaire can be fielded in"),
    ("en-GB-oxendict", "'en-GB-oxendict' is not a known language code (BCP 47: fr, nl, sq, "
                       "ru, tr, pt-BR...)"),
])
def test_language_codes_are_canonical_and_fieldable(code: str, message: str) -> None:
    head = HEAD.replace("languages: [en, fr]", f"languages: [en, {code}]")
    found = only("  - id: a\n    type: text\n    text: Hi\n", head)
    assert (found.line, found.column, found.code, found.message) == (
        5, 17, "invalid_language", message)


def test_canonical_language_codes_load() -> None:
    head = HEAD.replace("languages: [en, fr]", "languages: [en, pt-BR, zh-Hant, es-419]")
    questionnaire = loads(head + "  - id: a\n    type: text\n    text: Hi\n")
    assert questionnaire.languages == ("en", "pt-BR", "zh-Hant", "es-419")


def test_source_language_case_is_checked_too() -> None:
    found = only("  - id: a\n    type: text\n    text: Hi\n",
                 HEAD.replace("source_language: en", "source_language: EN"))
    assert (found.line, found.column, found.message) == (
        4, 18, "'EN': write 'en' (language codes are case-sensitive here)")


def test_a_date_question_is_compared_with_dates_only() -> None:
    found = only("""\
      - id: d
        type: date
        text: Since when?
      - id: b
        type: text
        text: Why?
        show_if: d > '2020-01-01' and d < 'last year'
    """)
    assert (found.line, found.column, found.code) == (16, 39, "compare_types")
    assert found.message == "show_if: a date compares with another date or a 'YYYY-MM-DD' " \
                            "literal"


def test_option_code_compared_with_text_uses_an() -> None:
    found = only("""\
      - id: d
        type: single_choice
        text: Which?
        options: {1: A}
      - id: b
        type: text
        text: Why?
        show_if: d == 'x'
    """)
    assert found.message == "show_if: cannot compare an option code with a text"


@pytest.mark.parametrize("bound", [".nan", ".inf", "-.inf"])
def test_non_finite_bounds_are_refused(bound: str) -> None:
    found = only(f"  - id: a\n    type: number\n    text: Hi\n    min: {bound}\n")
    assert (found.line, found.column) == (13, 10)
    assert found.message == f"min: expected a finite number, got {bound}"
