"""The YAML layer under attack: values YAML cannot build, tags, aliases that contain themselves
or expand without end, nesting deep enough to break a parser, bytes that are not text, files
that cannot be read. Each is one FILE:LINE:COLUMN diagnostic on one line, never a traceback,
for questionnaires and scripted-interview files alike."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from survey_engine.errors import Diagnostic, QuestionnaireError, ScriptError
from survey_engine.interview.scripts import load_cases
from survey_engine.questionnaire.loader import load, loads
from survey_engine.questionnaire.source import MAX_ALIASED_VALUES, MAX_DEPTH, read_yaml

QUESTIONNAIRE = """\
questionnaire: demo
version: 1
title: {title}
source_language: en
languages: [en]
questions:
  - id: a
    type: single_choice
    text: Hi
    options: {options}
"""


def problems(title: str = "Demo", options: str = "{1: A, 2: B}") -> list[Diagnostic]:
    with pytest.raises(QuestionnaireError) as caught:
        loads(QUESTIONNAIRE.format(title=title, options=options), "q.yaml")
    return caught.value.diagnostics


def only(title: str = "Demo", options: str = "{1: A, 2: B}") -> Diagnostic:
    found = problems(title, options)
    assert len(found) == 1, found
    assert "\n" not in found[0].message
    return found[0]


@pytest.mark.parametrize(("title", "message"), [
    ("2019-02-30", "'2019-02-30' looks like a date to YAML but is not a valid one; quote it "
                   "if you mean text"),
    ("2019-01-01 25:00:00", "'2019-01-01 25:00:00' looks like a date and time to YAML but is "
                            "not a valid one; quote it if you mean text"),
    ("!!int abc", "'abc' cannot be read as !!int; remove the tag, or write a valid value"),
    ("!!float x", "'x' cannot be read as !!float; remove the tag, or write a valid value"),
    ("!!timestamp foo", "'foo' cannot be read as !!timestamp; remove the tag, or write a "
                        "valid value"),
    ("!!bool maybe", "'maybe' cannot be read as !!bool; remove the tag, or write a valid "
                     "value"),
    ("!!null abc", "'abc' cannot be read as !!null; remove the tag, or write a valid value"),
])
def test_a_value_yaml_cannot_build_is_reported_at_it(title: str, message: str) -> None:
    found = only(title)
    assert (found.line, found.column, found.code) == (3, 8, "yaml_value")
    assert found.message == message


@pytest.mark.parametrize(("title", "shown"), [
    ("!foo bar", "!foo"),
    ("!!python/name:os.system ''", "!!python/name:os.system"),
    ("!!python/object/apply:os.system [ls]", "!!python/object/apply:os.system"),
    ("!!binary aGk=", "!!binary"),
])
def test_tags_are_refused(title: str, shown: str) -> None:
    found = only(title)
    assert (found.line, found.column, found.code) == (3, 8, "yaml_tag")
    assert found.message.startswith(f"YAML tags like {shown} are not supported; ")


@pytest.mark.parametrize("options", ["!!set {1, 2}", "!!omap [{1: A}]", "!foo {1: A}"])
def test_tags_on_lists_and_mappings_are_refused(options: str) -> None:
    found = only(options=options)
    assert (found.line, found.column, found.code) == (10, 14, "yaml_tag")
    assert "are not supported; write plain lists and mappings" in found.message


def test_core_tags_that_fit_their_value_are_fine() -> None:
    questionnaire = loads(QUESTIONNAIRE.format(title="!!str 2019", options="{!!int 1: A}"))
    assert questionnaire.title == "2019"
    assert [o.code for o in questionnaire.questions[0].options] == [1]


def test_bad_keys_are_reported_each_at_its_own_column() -> None:
    found = problems(options="{!!int abc: A, !foo 2: B, 2019-02-30: C}")
    assert [(d.line, d.column, d.code) for d in found] == [
        (10, 15, "yaml_value"), (10, 29, "yaml_tag"), (10, 40, "yaml_value")]


def test_a_huge_number_is_reported_not_raised() -> None:
    found = only(title="9" * 5000)
    assert (found.line, found.column, found.code) == (3, 8, "yaml_value")
    assert found.message.endswith("cannot be read as !!int; quote it if you mean text")


def test_sexagesimal_floats_are_a_yaml11_trap() -> None:
    document, found = read_yaml("min: 0\nmax: 1:30.5\n", "n.yaml")
    assert document is not None and document.data["max"] == 90.5
    assert [(d.line, d.column, d.code) for d in found] == [(2, 6, "yaml11_number")]
    assert "'1:30.5' is read by YAML 1.1 as the number 90.5" in found[0].message


@pytest.mark.parametrize("options", ["&x [*x]", "&x {1: A, 2: *x}", "&x {1: A, 2: [B, *x]}"])
def test_an_alias_that_contains_itself_is_reported(options: str) -> None:
    found = [d for d in problems(options=options) if d.code == "recursive_alias"]
    assert len(found) == 1
    assert found[0].line == 10
    assert found[0].message == "an alias here refers to a value that contains it; a value " \
                               "cannot contain itself"


def test_an_alias_bomb_stops_at_once() -> None:
    levels = ["a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"] + [
        f"{name}: &{name} [{', '.join(['*' + previous] * 10)}]"
        for previous, name in zip("abcdefgh", "bcdefghi", strict=True)]
    started = time.perf_counter()
    with pytest.raises(QuestionnaireError) as caught:
        loads("\n".join(levels) + "\n", "bomb.yaml")
    assert time.perf_counter() - started < 5
    (found,) = caught.value.diagnostics
    assert found.code == "alias_expansion"
    assert found.message == f"the document expands to more than {MAX_ALIASED_VALUES:,} " \
                            "values through aliases"
    assert (found.line, found.column) == (5, 4)  # e: [*d, ...], the first level too large


def test_ordinary_anchors_and_aliases_still_work() -> None:
    text = QUESTIONNAIRE.format(title="Demo", options="&scale {1: Low, 2: High}") + """\
  - id: b
    type: single_choice
    text: Again
    options: *scale
"""
    questionnaire = loads(text)
    assert [o.label for o in questionnaire.question("b").options] == ["Low", "High"]


@pytest.mark.parametrize("nested", [
    "[" * 100_000 + "]" * 100_000,             # would crash libyaml itself
    "\n" + "- " * 100_000 + "x",
    "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1),
])
def test_nesting_too_deep_is_reported(nested: str) -> None:
    document, found = read_yaml("a: " + nested + "\n", "deep.yaml")
    assert document is None
    (problem,) = found
    assert problem.code == "too_deep"
    assert problem.message == f"values nest more than {MAX_DEPTH} levels deep"


def test_a_nul_byte_is_reported_where_it_is_on_one_line() -> None:
    found = only(title="Enquête\x00")  # libyaml counts bytes; the column counts characters
    assert (found.line, found.column, found.code) == (3, 15, "yaml_syntax")
    assert found.message == "YAML syntax: the character U+0000 is not allowed (control " \
                            "characters are not allowed)"


def test_unreadable_files_are_one_clear_line(tmp_path: Path) -> None:
    for path, message, code in ((tmp_path, "cannot read: is a directory", "unreadable"),
                                (tmp_path / "absent.yaml", "cannot read: no such file",
                                 "no_file")):
        with pytest.raises(QuestionnaireError) as caught:
            load(path)
        (found,) = caught.value.diagnostics
        assert str(found) == f"{path}:1:1: {message}"
        assert found.code == code


def test_bad_encoding_points_at_the_byte(tmp_path: Path) -> None:
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("questionnaire: demo\ntitle: Enquête\n".encode("latin-1"))
    with pytest.raises(QuestionnaireError) as caught:
        load(latin)
    (found,) = caught.value.diagnostics
    assert (found.line, found.column, found.code) == (2, 12, "encoding")


def test_scripts_are_read_by_the_same_guarded_reader(tmp_path: Path) -> None:
    script = tmp_path / "s.interviews.yaml"
    script.write_text("- name: !!python/name:os.system x\n  answers: &x {a: *x}\n"
                      "- name: 2019-02-30\n", encoding="utf-8")
    with pytest.raises(ScriptError) as caught:
        load_cases(script)
    found = [(d.line, d.column, d.code) for d in caught.value.diagnostics]
    assert (1, 9, "yaml_tag") in found
    assert (2, 12, "recursive_alias") in found
    assert (3, 9, "yaml_value") in found
