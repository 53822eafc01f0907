"""A translation that renames a placeholder (the value would silently go missing) or has
malformed braces (the interview would crash on it) is named by ``i18n check``, warned about
by ``compile``, and refused for fielding by ``load_wording`` with each bad entry listed."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from survey_engine.cli import main
from survey_engine.errors import CatalogError
from survey_engine.i18n.catalog import UnfitCatalogError, load_wording
from survey_engine.questionnaire.loader import load
from survey_engine.questionnaire.model import Questionnaire
from tests.survey_engine.i18n.support import TURKISH, cli, invoke, translated_project

INTRO = "Hello {contact.first_name}."
WHY = "Why {score}?"


def _field(project: Path) -> tuple[Questionnaire, Path]:
    return load(project / "questionnaires" / "pipeline.yaml"), project / "locales"


def _refusal(project: Path) -> UnfitCatalogError:
    cli(project, "compile")
    questionnaire, root = _field(project)
    with pytest.raises(UnfitCatalogError) as caught:
        load_wording(questionnaire, "tr", root)
    return caught.value


def test_a_renamed_placeholder_is_refused_for_fielding(tmp_path: Path) -> None:
    project = translated_project(tmp_path, {**TURKISH, WHY: "Neden {puan}?"})
    result = invoke(project, "compile")
    assert result.exit_code == 0
    assert "[pipeline/why/text] 'Why {score}?': placeholders differ: source has {score}, " \
           "translation has {puan}" in result.stderr
    error = _refusal(project)
    assert isinstance(error, CatalogError) and error.code == "catalog_placeholders"
    assert error.missing == []
    assert error.faults == ["pipeline/why/text (line 15): placeholders differ: source has "
                            "{score}, translation has {puan} in 'Neden {puan}?'"]
    assert error.faults[0] in error.message


def test_a_dropped_contact_placeholder_is_refused(tmp_path: Path) -> None:
    project = translated_project(tmp_path, {**TURKISH, INTRO: "Merhaba."})
    error = _refusal(project)
    assert "pipeline/intro (line 8): placeholders differ: source has {contact.first_name}, " \
           "translation has none" in error.faults[0]


@pytest.mark.parametrize(("translation", "why"), [
    ("Merhaba {contact.first_name}.}", "Single '}' encountered"),
    ("Merhaba {contact.first_name.", "expected '}'"),
    ("Merhaba {contact.first_name!r}.", "take no format or conversion"),
    ("Merhaba {Contact.First_Name}.", "is not a placeholder"),
    ("Merhaba {}{contact.first_name}.", "is not a placeholder"),
])
def test_malformed_braces_are_found_by_check_and_refused(tmp_path: Path, translation: str,
                                                          why: str) -> None:
    project = translated_project(tmp_path, {**TURKISH, INTRO: translation})
    code, output = cli(project, "check", "--lang", "tr")
    assert code == 1
    assert f"malformed braces in [pipeline/intro] {INTRO!r}: " in output and why in output
    error = _refusal(project)
    assert error.code == "catalog_placeholders"
    assert len(error.faults) == 1 and error.faults[0].startswith(
        "pipeline/intro (line 8): malformed braces: ")
    assert why in error.faults[0] and repr(translation) in error.faults[0]


def test_escaped_braces_are_not_a_fault(tmp_path: Path) -> None:
    project = translated_project(tmp_path, {**TURKISH, WHY: "Neden {{ {score} }}?"})
    assert cli(project, "check", "--lang", "tr")[0] == 0
    cli(project, "compile")
    questionnaire, root = _field(project)
    assert load_wording(questionnaire, "tr", root).lookup("pipeline/why/text", WHY) == \
        "Neden {{ {score} }}?"


def test_untranslated_and_faulty_entries_are_listed_together(tmp_path: Path) -> None:
    strings = {**TURKISH, WHY: "Neden {puan}?", "Blue": ""}
    error = _refusal(translated_project(tmp_path, strings))
    assert error.code == "catalog_incomplete"
    assert len(error.missing) == 1 and "'Blue'" in error.missing[0]
    assert len(error.faults) == 1 and "pipeline/why/text" in error.faults[0]
    assert "1 text(s) untranslated" in error.message
    assert "1 translation(s) with placeholder faults" in error.message


def test_interview_commands_refuse_instead_of_crashing(tmp_path: Path) -> None:
    project = translated_project(tmp_path, {**TURKISH, INTRO: "Merhaba {contact.first_name}}."})
    cli(project, "compile")
    result = CliRunner().invoke(main, [
        "interview", "run", str(project / "questionnaires" / "pipeline.yaml"), "--lang", "tr",
        "--locales", str(project / "locales"), "--contact", "first_name=Ayşe"], input="")
    assert result.exit_code == 1
    assert "error: pipeline cannot be fielded in tr" in result.output
    assert "malformed braces" in result.output
    assert "PlaceholderError" not in result.output and "Traceback" not in result.output
