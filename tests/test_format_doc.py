"""docs/questionnaire-format.md is checked, so that the format's documentation cannot drift
from what the loader accepts: its examples load, its error listing is what ``validate``
prints, and every key the loader knows is described."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import BaseModel

from survey_engine.cli import main
from survey_engine.i18n.catalog import source_wording
from survey_engine.interview.scripts import load_cases, run_script
from survey_engine.questionnaire import schema
from survey_engine.questionnaire.loader import loads
from survey_engine.questionnaire.types import REGISTRY

DOC = Path(__file__).resolve().parents[1] / "docs" / "questionnaire-format.md"
BLOCK = re.compile(r"^```(\w+)([^\n]*)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def blocks(language: str, tag: str = "") -> list[str]:
    return [body for lang, extra, body in BLOCK.findall(DOC.read_text(encoding="utf-8"))
            if lang == language and extra.strip() == tag]


def documented_questionnaire() -> str:
    """The header block, the question examples in order, then the quota block."""
    yaml_blocks = blocks("yaml")
    header = next(b for b in yaml_blocks if b.startswith("questionnaire:"))
    questions = [b for b in yaml_blocks if b.startswith("  - id:")]
    quotas = [b for b in yaml_blocks if b.startswith("quotas:")]
    return header + "\n".join(questions) + "".join(quotas)


def test_the_documented_examples_form_a_valid_questionnaire() -> None:
    questionnaire = loads(documented_questionnaire(), "doc.yaml")
    documented_types = {question.type_name for question in questionnaire.questions}
    assert documented_types == set(REGISTRY), "an example of every question type"
    assert questionnaire.quotas


def test_the_documented_script_passes(tmp_path: Path) -> None:
    questionnaire = loads(documented_questionnaire(), "doc.yaml")
    script = tmp_path / "doc.interviews.yaml"
    script.write_text(next(b for b in blocks("yaml") if b.startswith("- name:")),
                      encoding="utf-8")
    cases = load_cases(script)
    results = run_script(questionnaire, source_wording(questionnaire), cases)
    assert [(r.name, r.failure) for r in results if not r.passed] == []


def test_the_documented_errors_are_what_validate_prints(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    [broken] = blocks("yaml", "broken")
    [listing] = [b for b in blocks("text") if b.startswith("broken.yaml:")]
    (tmp_path / "broken.yaml").write_text(broken, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["validate", "broken.yaml"])
    assert result.exit_code == 1
    printed = [line for line in result.output.splitlines() if line.startswith("broken.yaml:")]
    assert printed == listing.splitlines()


def _keys(model: type[BaseModel]) -> set[str]:
    return set(model.model_fields)


@pytest.mark.parametrize("model", [
    schema.QuestionnaireSpec, schema.QuestionSpec, schema.ChoiceSpec, schema.MultiChoiceSpec,
    schema.NumberSpec, schema.TextSpec, schema.VerifySpec, schema.InfoSpec, schema.OptionSpec,
    schema.ContactFieldSpec, schema.SpecialCodes, schema.QuotaSpec,
], ids=lambda model: model.__name__)
def test_every_key_is_documented(model: type[BaseModel]) -> None:
    text = DOC.read_text(encoding="utf-8")
    undocumented = sorted(key for key in _keys(model)
                          if not re.search(rf"`{key}(`|: )", text))
    assert undocumented == []


def test_every_type_has_its_own_section() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert [name for name in REGISTRY if f"### {name}\n" not in text] == []

