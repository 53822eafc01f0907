"""The questionnaire contract: ../shared/reference/energy-satisfaction.yaml walks exactly the
scripted interviews of ../shared/reference/paths.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from survey_engine.i18n.catalog import source_wording
from survey_engine.interview.scripts import load_cases, run_case
from survey_engine.questionnaire.loader import load
from tests.conftest import REFERENCE


def case_names() -> list[str]:
    paths = REFERENCE / "paths.yaml"
    if not paths.exists():
        return ["(contract missing)"]
    return [case["name"] for case in yaml.safe_load(paths.read_text("utf-8"))]


@pytest.mark.parametrize("name", case_names())
def test_reference_case(name: str, reference_dir: Path) -> None:
    questionnaire = load(reference_dir / "energy-satisfaction.yaml")
    case = next(c for c in load_cases(reference_dir / "paths.yaml") if c.name == name)
    result = run_case(questionnaire, source_wording(questionnaire), case)
    assert result.failure is None
    assert result.path == case.path
    assert result.outcome == case.outcome
    for question, message in ((r["question"], r["message"]) for r in result.rejected):
        assert message, f"refusal of {question} has no message"
    assert len(result.rejected) == sum(len(v) for v in case.rejected.values())
