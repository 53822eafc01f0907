"""The sample questionnaires in questionnaires/: each loads, is completely translated, and
passes its scripted interviews in every language it may be fielded in."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from survey_engine.cli import main
from survey_engine.i18n.catalog import load_wording
from survey_engine.interview.scripts import load_cases, run_script
from survey_engine.questionnaire.loader import load
from tests.conftest import QUESTIONNAIRES, sample_files

REQUIRED_LANGUAGES = {"nl", "fr", "sq", "ru", "tr"}


def fielding() -> list[tuple[Path, str]]:
    return [(path, language) for path in sample_files() for language in load(path).languages]


def test_three_kinds_of_sample_exist() -> None:
    questionnaires = [load(path) for path in sample_files()]
    assert len(questionnaires) >= 3
    types = [{q.type_name for q in questionnaire.questions} for questionnaire in questionnaires]
    assert any("nps" in found for found in types), "a satisfaction survey with NPS"
    assert any("verify" in found for found in types), "a customer-file verification script"
    market = [q for q in questionnaires if q.quotas and any(
        question.end_outcome == "screened_out" for question in q.questions)]
    assert market, "a market study with screening and quotas"
    assert any(getattr(question.spec, "randomize", False) and
               any(option.exclusive and option.fixed for option in question.options)
               for question in market[0].questions), "a randomized list with 'none of these'"


@pytest.mark.parametrize("path", sample_files(), ids=lambda p: p.stem)
def test_sample_languages(path: Path) -> None:
    questionnaire = load(path)
    expected = REQUIRED_LANGUAGES | ({"en"} if questionnaire.source_language != "en" else set())
    assert expected <= set(questionnaire.languages)
    assert path.with_name(f"{path.stem}.interviews.yaml").exists()


@pytest.mark.parametrize(("path", "language"), fielding(),
                         ids=lambda value: value.stem if isinstance(value, Path) else value)
def test_scripted_interviews_pass_in_every_language(path: Path, language: str) -> None:
    questionnaire = load(path)
    wording = load_wording(questionnaire, language)
    cases = load_cases(path.with_name(f"{path.stem}.interviews.yaml"))
    assert len(cases) >= 5
    failures = [f"{r.name}: {r.failure}" for r in run_script(questionnaire, wording, cases)
                if not r.passed]
    assert failures == []


def test_every_catalog_is_complete_and_consistent() -> None:
    result = CliRunner().invoke(main, ["i18n", "check", "--questionnaires",
                                       str(QUESTIONNAIRES)])
    assert result.exit_code == 0, result.output
