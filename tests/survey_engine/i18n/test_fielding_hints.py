"""When a questionnaire cannot be fielded for want of a compiled catalog, the refusal says
which steps remain (extract, init, translate, compile), as commands that work for the
questionnaire's own folder and catalogs directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from survey_engine.errors import CatalogError
from survey_engine.i18n import hints
from survey_engine.i18n.catalog import load_wording
from survey_engine.questionnaire.loader import load
from tests.survey_engine.i18n.support import SURVEY, cli, make_project, po, translate

FOLDER_OPTIONS = "--questionnaires {q} --locales {loc} --domain pipeline"


def _refusal(project: Path, language: str = "tr") -> str:
    questionnaire = load(project / "questionnaires" / "pipeline.yaml")
    with pytest.raises(CatalogError) as caught:
        load_wording(questionnaire, language, project / "locales")
    assert caught.value.code in ("catalog_missing", "catalog_stale")
    return caught.value.message


def _options(project: Path) -> str:
    return FOLDER_OPTIONS.format(q=project / "questionnaires", loc=project / "locales")


def test_never_extracted_asks_for_every_step_with_the_folder(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    message = _refusal(project)
    options = _options(project)
    assert f"(run 'survey-engine i18n extract {options}', then 'survey-engine i18n init " \
           f"{options} --lang tr', then translate {po(project, 'tr')}, then 'survey-engine " \
           f"i18n compile {options} --lang tr')" in message
    assert "run 'survey-engine i18n init'" not in message  # the old, wrong hint


def test_extracted_asks_for_init_translate_compile(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    cli(project, "extract")
    message = _refusal(project)
    assert "i18n extract" not in message
    assert f"run 'survey-engine i18n init {_options(project)} --lang tr', then translate" \
        in message


def test_a_template_extracted_before_the_texts_changed_asks_for_extract_again(
        tmp_path: Path) -> None:
    project = make_project(tmp_path)
    cli(project, "extract")
    source = project / "questionnaires" / "pipeline.yaml"
    source.write_text(SURVEY.replace("Favourite colour?", "Your favourite colour?"), "utf-8")
    assert "run 'survey-engine i18n extract " in _refusal(project)


def test_a_catalog_not_compiled_asks_only_for_compile(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    cli(project, "extract")
    cli(project, "init", "--lang", "tr")
    message = _refusal(project)
    assert message.endswith(f"(run 'survey-engine i18n compile {_options(project)} "
                            "--lang tr')")


def test_a_stale_catalog_names_the_same_compile_command(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    cli(project, "extract")
    cli(project, "init", "--lang", "tr")
    cli(project, "compile")
    translate(po(project, "tr"), {"Red": "Kırmızı"})
    # Later than the compiled catalog, by the file system's clock (not the tests' present).
    compiled = project / "locales" / "tr" / "LC_MESSAGES" / "pipeline.mo"
    future = compiled.stat().st_mtime + 5
    os.utime(po(project, "tr"), (future, future))
    assert _refusal(project).endswith(f"run 'survey-engine i18n compile {_options(project)} "
                                      "--lang tr'")


def test_the_project_defaults_need_no_options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                              ) -> None:
    project = make_project(tmp_path)
    monkeypatch.setattr(hints, "PROJECT_ROOT", project)
    monkeypatch.setenv("SURVEY_ENGINE_LOCALES", str(project / "locales"))
    questionnaire = load(project / "questionnaires" / "pipeline.yaml")
    assert hints.compile_steps(questionnaire, "ru", project / "locales").startswith(
        "run 'survey-engine i18n extract --domain pipeline', then 'survey-engine i18n init "
        "--domain pipeline --lang ru'")
