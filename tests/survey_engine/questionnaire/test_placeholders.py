"""Placeholder syntax: every malformed placeholder of a text is found, each at its offset;
well-formed texts split into the same pieces as before."""

from __future__ import annotations

import pytest

from survey_engine.questionnaire.placeholders import (
    PlaceholderError,
    parse_template,
    scan_template,
    unknown_names,
)


def test_every_malformed_placeholder_is_found_at_its_offset() -> None:
    text = "X {0} {} {a.b} {hh:>5} {x!r} {ok} }"
    template, found = scan_template(text)
    assert [(p.offset, str(p)) for p in found] == [
        (2, "{0} is not a placeholder: write {question_id} or {contact.field}"),
        (6, "{} is not a placeholder: write {question_id} or {contact.field}"),
        (9, "{a.b} is not a placeholder: write {question_id} or {contact.field}"),
        (15, "{hh}: placeholders take no format or conversion"),
        (23, "{x}: placeholders take no format or conversion"),
        (34, "Single '}' encountered in format string; write {{ and }} for literal braces"),
    ]
    assert template.names == {"ok"}
    assert template.spots == (("ok", 29),)


@pytest.mark.parametrize(("text", "offset", "problem"), [
    ("Hi {name", 3, "expected '}' before end of string"),
    ("Hi {a {b}", 3, "unexpected '{' in field name"),
    ("Hi }", 3, "Single '}' encountered in format string"),
])
def test_unbalanced_braces(text: str, offset: int, problem: str) -> None:
    with pytest.raises(PlaceholderError) as caught:
        parse_template(text)
    assert caught.value.offset == offset
    assert str(caught.value).startswith(problem)


def test_literal_braces_and_rendering() -> None:
    template = parse_template("{{x}} is {contact.first_name}, {age}}}")
    assert template.names == {"contact.first_name", "age"}
    assert template.render(lambda name: name.upper()) == "{x} is CONTACT.FIRST_NAME, AGE}"


def test_unknown_names_say_why_and_suggest() -> None:
    template = parse_template("{zz} {later} {contact.first_nam} {scor} {zz} {score}")
    found = unknown_names(template, {"score", "contact.first_name"}, later={"later"})
    assert [(p.offset, p.code, str(p)) for p in found] == [
        (0, "unknown_placeholder", "{zz} is not an earlier question with an answer"),
        (5, "unknown_placeholder", "{later} is asked later; only earlier questions can be "
                                   "piped here"),
        (13, "unknown_placeholder", "{contact.first_nam} is not a declared contact field "
                                    "(did you mean {contact.first_name}?)"),
        (33, "unknown_placeholder", "{scor} is not an earlier question with an answer (did "
                                    "you mean {score}?)"),
    ]
