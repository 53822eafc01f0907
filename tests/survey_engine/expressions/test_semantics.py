"""Evaluation by the contract's rules, and the static checks made at load time."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from survey_engine.expressions import (
    DONT_KNOW,
    MISSING,
    REFUSED,
    Expression,
    Kind,
    Scope,
    Symbol,
    check,
    parse,
)
from survey_engine.questionnaire.loader import loads

SCOPE = Scope(
    questions={
        "consent": Symbol(Kind.BOOL, "question 'consent'"),
        "satisfaction": Symbol(Kind.CHOICE, "question 'satisfaction'", frozenset({1, 2, 3}),
                               frozenset({"dont_know"})),
        "brands": Symbol(Kind.CODES, "question 'brands'", frozenset({1, 2, 3, 4})),
        "age": Symbol(Kind.NUMBER, "question 'age'"),
        "name": Symbol(Kind.TEXT, "question 'name'"),
    },
    contact_fields={"email": Symbol(Kind.TEXT, "contact.email"),
                    "since": Symbol(Kind.DATE, "contact.since")},
    later={"region"},
    no_answer={"welcome"},
)


def holds(text: str, answers: dict[str, object], contact: dict[str, object] | None = None
          ) -> bool:
    assert check(parse(text), SCOPE) == []
    return Expression(text).holds(answers, contact or {})


def test_unasked_question_makes_every_comparison_false() -> None:
    for text in ("age < 18", "age >= 18", "age == 18", "age != 18", "satisfaction in [1, 2]",
                 "satisfaction not in [1, 2]"):
        assert holds(text, {}) is False, text


def test_special_answers_equal_only_themselves_and_are_never_ordered() -> None:
    answers = {"satisfaction": DONT_KNOW}
    assert holds("satisfaction == dont_know", answers)
    assert not holds("satisfaction <= 2", answers)
    assert not holds("satisfaction > 2", answers)
    assert holds("satisfaction != 2", answers)
    assert not holds("satisfaction == 2", answers)
    assert not holds("answered(satisfaction)", answers)


def test_logic_and_membership() -> None:
    answers = {"consent": True, "brands": frozenset({2, 4}), "age": 34}
    assert holds("consent and 2 in brands and age >= 18", answers)
    assert holds("not (3 in brands)", answers)
    assert holds("3 not in brands", answers)
    assert holds("count(brands) == 2", answers)
    assert not holds("not consent", answers)
    assert holds("not consent", {"consent": False})
    assert not holds("consent", {})


def test_numbers_compare_exactly_across_int_and_decimal() -> None:
    assert holds("age < 2.5", {"age": Decimal("2.4")})
    assert not holds("age < 2.5", {"age": 3})
    assert holds("age == 3", {"age": Decimal("3.0")})


def test_yes_is_not_the_number_one() -> None:
    # Python says True == 1; the expression language does not.
    expression = Expression("consent == yes")
    assert expression.holds({"consent": True}, {})
    assert not expression.holds({"consent": 1}, {})


def test_dates_compare_with_dates() -> None:
    scope = Scope(questions={"moved_in": Symbol(Kind.DATE, "question 'moved_in'")},
                  contact_fields=SCOPE.contact_fields)
    assert check(parse("moved_in > contact.since"), scope) == []
    assert Expression("moved_in > contact.since").holds(
        {"moved_in": dt.date(2020, 5, 1)}, {"since": dt.date(2019, 3, 1)})


def test_dates_compare_with_iso_literals() -> None:
    contact = {"since": dt.date(2019, 3, 1)}
    assert holds("contact.since < '2020-01-01'", {}, contact)
    assert not holds("contact.since >= '2020-01-01'", {}, contact)
    assert holds("'2020-01-01' >= contact.since", {}, contact)


@pytest.mark.parametrize("text", ["contact.since < 'last year'",
                                  "contact.since == '2020-02-30'",
                                  "contact.since == '20200301'",
                                  "contact.since in ['01/03/2020']"])
def test_a_date_is_never_compared_with_other_text(text: str) -> None:
    (error,) = check(parse(text), SCOPE)
    assert error.code == "compare_types"
    assert "'YYYY-MM-DD' literal" in error.message


def test_a_date_is_not_a_number() -> None:
    (error,) = check(parse("contact.since > 3"), SCOPE)
    assert error.code == "compare_types"
    assert "a date compares with a date question, a date contact field or a 'YYYY-MM-DD' " \
           "literal" in error.message


def test_messages_use_the_right_article() -> None:
    (error,) = check(parse("satisfaction == 'x'"), SCOPE)
    assert error.message == "cannot compare an option code with a text"


def test_contact_field_missing_or_empty() -> None:
    assert not holds("contact.email != ''", {}, {"email": ""})
    assert holds("contact.email != ''", {}, {"email": "a@b.be"})
    assert not holds("contact.email != ''", {}, {})


def codes(text: str) -> list[str]:
    return [error.code for error in check(parse(text), SCOPE)]


@pytest.mark.parametrize(("text", "code"), [
    ("satisfction == 1", "unknown_name"),
    ("region == 1", "unknown_name"),
    ("welcome == yes", "unknown_name"),
    ("contact.mail != ''", "unknown_contact_field"),
    ("satisfaction == 7", "unknown_option_code"),
    ("9 in brands", "unknown_option_code"),
    ("satisfaction in [1, 8]", "unknown_option_code"),
    ("satisfaction == refused", "special_not_allowed"),
    ("satisfaction < dont_know", "special_ordering"),
    ("age == 'old'", "compare_types"),
    ("name < 3", "compare_types"),
    ("brands == 2", "compare_multi_choice"),
    ("age", "expression_not_condition"),
    ("age and consent", "expression_not_condition"),
    ("count(age) > 1", "count_needs_multi_choice"),
    ("contact.since < 'yesterday'", "compare_types"),
    ("[1, 2]", "misplaced_list"),
    ("2 in age", "membership_container"),
])
def test_static_checks(text: str, code: str) -> None:
    assert code in codes(text)


def test_unknown_name_suggests_the_closest() -> None:
    (error,) = check(parse("satisfction == 1"), SCOPE)
    assert "did you mean 'satisfaction'" in error.message
    assert error.offset == 0


def test_later_question_is_named_as_such() -> None:
    (error,) = check(parse("consent and region == 1"), SCOPE)
    assert "asked later" in error.message
    assert error.offset == len("consent and ")


def test_every_problem_is_reported() -> None:
    assert len(check(parse("satisfction == 1 or agee > 3 or brands == 2"), SCOPE)) == 3


def test_missing_is_falsy_but_distinct() -> None:
    assert MISSING is not None and not MISSING
    assert REFUSED is not DONT_KNOW


# --- no value, no comparison: `not in`, count(), bare yes_no names --------------------------

@pytest.mark.parametrize("brands", [MISSING, DONT_KNOW, REFUSED])
def test_not_in_a_multi_choice_without_a_set_of_options_is_false(brands: object) -> None:
    answers = {} if brands is MISSING else {"brands": brands}
    assert not holds("2 not in brands", answers)
    assert not holds("2 in brands", answers)
    assert holds("2 not in brands", {"brands": frozenset({1, 3})})
    assert not holds("2 not in brands", {"brands": frozenset({2})})


def test_not_in_with_an_unasked_element_is_false() -> None:
    assert not holds("satisfaction not in brands", {"brands": frozenset({1})})
    assert holds("satisfaction not in brands", {"satisfaction": 2,
                                                "brands": frozenset({1})})


@pytest.mark.parametrize("brands", [MISSING, DONT_KNOW, REFUSED])
@pytest.mark.parametrize("text", ["count(brands) == 0", "count(brands) != 0",
                                  "count(brands) < 1", "count(brands) >= 0",
                                  "count(brands) in [0, 1]", "count(brands) not in [1, 2]"])
def test_count_of_a_question_without_a_set_of_options_has_no_value(
        brands: object, text: str) -> None:
    answers = {} if brands is MISSING else {"brands": brands}
    assert not holds(text, answers)


def test_count_of_an_answered_multi_choice() -> None:
    assert holds("count(brands) == 2", {"brands": frozenset({1, 4})})
    assert holds("count(brands) != 0", {"brands": frozenset({1})})
    assert Expression("answered(brands)").holds({"brands": frozenset({1})}, {})
    assert not Expression("answered(brands)").holds({}, {})
    assert holds("not answered(brands)", {"brands": DONT_KNOW})


@pytest.mark.parametrize(("consent", "bare", "negated"), [
    (True, True, False),
    (False, False, True),
    (DONT_KNOW, False, False),
    (REFUSED, False, False),
    (MISSING, False, False),
])
def test_a_bare_yes_no_name_is_q_equals_yes_and_not_q_is_q_equals_no(
        consent: object, bare: bool, negated: bool) -> None:
    answers = {} if consent is MISSING else {"consent": consent}
    assert holds("consent", answers) is bare
    assert holds("consent == yes", answers) is bare
    assert holds("not consent", answers) is negated
    assert holds("not (consent)", answers) is negated
    assert holds("consent == no", answers) is negated
    assert holds("not consent or age > 1", {**answers, "age": 3})
    assert holds("not consent and age > 1", {**answers, "age": 3}) is negated
    assert Expression("consent").evaluate(answers, {}) is bare


def test_not_over_other_expressions_is_unchanged() -> None:
    # `not (expression)` stays the negation of "holds": true when the question was not asked.
    assert holds("not (consent == yes)", {})
    assert holds("not (consent == yes)", {"consent": REFUSED})
    assert holds("not (age > 3)", {})
    assert holds("not answered(age)", {})


# --- 'YYYY-MM-DD': a date when compared with a date, text otherwise ---------------------------

DATES = Scope(questions={"moved_in": Symbol(Kind.DATE, "question 'moved_in'"),
                         "name": Symbol(Kind.TEXT, "question 'name'")},
              contact_fields=SCOPE.contact_fields)


def date_holds(text: str, answers: dict[str, object],
               contact: dict[str, object] | None = None) -> bool:
    assert check(parse(text), DATES) == []
    return Expression(text).holds(answers, contact or {})


@pytest.mark.parametrize(("text", "expected"), [
    ("moved_in == '2015-06-01'", True), ("moved_in != '2015-06-01'", False),
    ("moved_in < '2015-06-02'", True), ("moved_in <= '2015-06-01'", True),
    ("moved_in > '2015-05-31'", True), ("moved_in >= '2015-06-02'", False),
    ("moved_in in ['2015-06-01']", True), ("moved_in in ['2014-01-01', '2015-06-01']", True),
    ("moved_in not in ['2015-06-01']", False), ("moved_in not in ['2014-01-01']", True),
    ("'2015-06-01' == moved_in", True), ("'2015-06-01' in [moved_in]", True),
    ("contact.since in ['2019-03-01']", True), ("contact.since not in ['2019-03-01']", False),
])
def test_an_iso_literal_is_a_date_beside_a_date(text: str, expected: bool) -> None:
    answers = {"moved_in": dt.date(2015, 6, 1)}
    assert date_holds(text, answers, {"since": dt.date(2019, 3, 1)}) is expected


@pytest.mark.parametrize(("text", "expected"), [
    ("name == '2015-06-01'", True), ("name != '2015-06-01'", False),
    ("name in ['2015-06-01']", True), ("name not in ['2015-06-01']", False),
    ("name == '2015-6-1'", False), ("name in ['2015-6-1']", False),
    ("contact.email == '2015-06-01'", True), ("contact.email in ['2015-06-01']", True),
])
def test_an_iso_literal_is_text_beside_text(text: str, expected: bool) -> None:
    answers = {"name": "2015-06-01"}
    assert date_holds(text, answers, {"email": "2015-06-01"}) is expected


def test_an_iso_literal_beside_a_date_not_asked_or_special() -> None:
    for text in ("moved_in == '2015-06-01'", "moved_in != '2015-06-01'",
                 "moved_in in ['2015-06-01']", "moved_in not in ['2015-06-01']",
                 "moved_in < '2015-06-01'"):
        assert not date_holds(text, {}), text
    # dont_know equals only itself: it is not that date, and is never before or after it.
    special = {"moved_in": DONT_KNOW}
    assert not date_holds("moved_in == '2015-06-01'", special)
    assert not date_holds("moved_in in ['2015-06-01']", special)
    assert not date_holds("moved_in < '2015-06-01'", special)
    assert date_holds("moved_in != '2015-06-01'", special)
    assert date_holds("moved_in not in ['2015-06-01']", special)


def test_loaded_questionnaire_reads_iso_literals_by_the_kind_of_the_question() -> None:
    questionnaire = loads("""\
questionnaire: dates
version: 1
title: Dates
source_language: en
languages: [en]
questions:
  - id: moved_in
    type: date
    text: Since when?
  - id: code
    type: text
    text: Which code?
  - id: by_date
    type: yes_no
    text: A?
    show_if: moved_in in ['2015-06-01'] and moved_in == '2015-06-01'
  - id: by_text
    type: yes_no
    text: B?
    show_if: code in ['2015-06-01'] and code == '2015-06-01'
""", "dates.yaml")
    answers = {"moved_in": dt.date(2015, 6, 1), "code": "2015-06-01"}
    for ident in ("by_date", "by_text"):
        condition = questionnaire.question(ident).show_if
        assert condition is not None and condition.holds(answers, {}), ident
