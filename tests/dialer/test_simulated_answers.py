"""Simulated respondents: every answer taken, every interview ended, the logic's branches
walked, and the same seed giving the same respondent."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from dialer.errors import DialerError
from dialer.simulation.answers import simulated_answer, simulated_contact
from survey_engine.expressions import Special
from survey_engine.i18n.catalog import source_wording
from survey_engine.interview.engine import Interview, Prompt
from survey_engine.questionnaire.contact import normalize_contact
from survey_engine.questionnaire.loader import load
from survey_engine.questionnaire.model import Question, Questionnaire
from survey_engine.questionnaire.types import QuestionType
from tests.conftest import sample_files

RUNS = 300
TODAY = dt.date(2025, 6, 2)
OUTCOMES = {"complete", "refusal", "screened_out", "quota_full"}


@dataclass
class Runs:
    """What RUNS simulated interviews through one questionnaire gave."""

    questionnaire: Questionnaire
    paths: Counter[tuple[str, ...]] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    specials: Counter[str] = field(default_factory=Counter)
    answers: list[tuple[str, Any]] = field(default_factory=list)


def interview(questionnaire: Questionnaire, seed: int) -> tuple[Interview, list[Any]]:
    """One respondent, drawn from ``seed``, answering until the interview ends."""
    rng = random.Random(seed)
    contact = simulated_contact(questionnaire, rng, today=TODAY)
    run = Interview.start(questionnaire, source_wording(questionnaire), contact,
                          seed=str(seed))
    given: list[Any] = []
    for _ in range(len(questionnaire.questions) + 1):
        prompt = run.current()
        if prompt is None:
            break
        value = simulated_answer(questionnaire, prompt, rng, today=TODAY)
        step = run.answer(value)
        assert step.accepted, f"seed {seed}, {prompt.question_id} = {value!r}: {step.message}"
        given.append((prompt.question_id, value))
    return run, given


@pytest.fixture(scope="module", params=sample_files(), ids=lambda path: path.stem)
def runs(request: pytest.FixtureRequest) -> Runs:
    path: Path = request.param
    result = Runs(load(path))
    for seed in range(RUNS):
        run, given = interview(result.questionnaire, seed)
        result.paths[tuple(run.path)] += 1
        result.outcomes[str(run.outcome)] += 1
        result.answers += given
        result.specials.update(value.name for _, value in given if isinstance(value, Special))
        if seed % 25 == 0:  # the state is JSON-ready and replays as it was answered
            again = Interview.resume(result.questionnaire,
                                     source_wording(result.questionnaire), run.to_json())
            assert (again.answers, again.outcome) == (run.answers, run.outcome)
    return result


def test_every_interview_ends_with_an_outcome(runs: Runs) -> None:
    assert sum(runs.outcomes.values()) == RUNS
    assert set(runs.outcomes) <= OUTCOMES
    ends = {question.end_outcome for question in runs.questionnaire.questions
            if question.end_outcome is not None}
    assert set(runs.outcomes) == ends | {"complete"}
    assert runs.outcomes["complete"] > RUNS // 2  # most respondents go on


def test_the_logic_branches(runs: Runs) -> None:
    assert len(runs.paths) >= 4
    asked = {ident for path in runs.paths for ident in path}
    assert asked == {question.id for question in runs.questionnaire.questions}


def test_respondents_sometimes_do_not_know_or_refuse(runs: Runs) -> None:
    allowed = set().union(*(question.allow for question in runs.questionnaire.questions))
    assert set(runs.specials) == allowed
    assert sum(runs.specials.values()) < len(runs.answers) // 10


def test_consent_is_mostly_given(runs: Runs) -> None:
    consent = [value for ident, value in runs.answers if ident == "consent"]
    assert len(consent) == RUNS
    assert 0.8 < consent.count(True) / RUNS < 0.97


def test_answers_take_every_form_the_questionnaire_has(runs: Runs) -> None:
    forms = {_form(value) for _, value in runs.answers}
    types = {question.type_name for question in runs.questionnaire.questions}
    if any(option.specify for q in runs.questionnaire.questions for option in q.options):
        assert "specify" in forms
    if "verify" in types:
        assert {"confirmed", "corrected"} <= forms
    if "multi_choice" in types:
        assert "several codes" in forms


def _form(value: Any) -> str:
    if isinstance(value, dict):
        return "specify" if "specify" in value else next(iter(value))
    if isinstance(value, list):
        if any(isinstance(item, dict) for item in value):
            return "specify"
        return "several codes" if len(value) > 1 else "codes"
    return type(value).__name__


@pytest.mark.parametrize("path", sample_files(), ids=lambda path: path.stem)
def test_the_same_seed_gives_the_same_respondent(path: Path) -> None:
    questionnaire = load(path)
    first, answers = interview(questionnaire, 42)
    second, again = interview(questionnaire, 42)
    assert answers == again
    assert (first.path, first.state.contact) == (second.path, second.state.contact)
    assert [interview(questionnaire, seed)[1] for seed in range(5)] != [answers] * 5


@pytest.mark.parametrize("path", sample_files(), ids=lambda path: path.stem)
def test_contacts_fit_their_declared_fields(path: Path) -> None:
    questionnaire = load(path)
    rng = random.Random(3)
    contacts = [simulated_contact(questionnaire, rng, today=TODAY) for _ in range(200)]
    for contact in contacts:
        normalize_contact(questionnaire.contact_fields, contact)  # raises if one does not fit
        for name, contact_field in questionnaire.contact_fields.items():
            if contact_field.pattern is not None and contact[name]:
                assert contact_field.pattern.search(contact[name])
    for name, contact_field in questionnaire.contact_fields.items():
        filled = sum(1 for contact in contacts if contact[name] != "")
        assert filled == 200 if contact_field.required else 100 < filled < 200


def test_customer_numbers_follow_their_pattern() -> None:
    (path,) = [p for p in sample_files() if p.stem == "customer-satisfaction"]
    contact = simulated_contact(load(path), random.Random(1), today=TODAY)
    assert contact["customer_number"].startswith("LT")
    assert len(contact["customer_number"]) == 9
    assert contact["customer_number"][2:].isdigit()
    assert dt.date.fromisoformat(contact["customer_since"]) < TODAY


class Signature(QuestionType):
    name = "signature"


def test_an_unknown_question_type_is_refused_by_name() -> None:
    question = Question("sign_here", Signature(), "Please sign.", None, 1)
    questionnaire = Questionnaire("pad", 1, "Pad", "en", ("en",), {}, {}, (question,))
    prompt = Prompt("sign_here", "signature", "Please sign.", (), (), 1)
    with pytest.raises(DialerError) as caught:
        simulated_answer(questionnaire, prompt, random.Random(0))
    assert caught.value.code == "unsimulated_type"
    assert "signature" in caught.value.message
    assert "sign_here" in caught.value.message


def test_scales_and_scores_lean_positive(runs: Runs) -> None:
    for question in runs.questionnaire.questions:
        if question.type_name not in ("scale", "nps"):
            continue
        given = [value for ident, value in runs.answers
                 if ident == question.id and isinstance(value, int)]
        codes = [option.code for option in question.options] or list(range(11))
        assert sum(given) / len(given) > (min(codes) + max(codes)) / 2, question.id
