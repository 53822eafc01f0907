"""The i18n commands say what they did or why nothing was done: a --lang that is no
language, or that the selected domains do not offer, is refused as --domain is; init and
update name each catalog they leave alone; every subcommand's --help shows examples."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from survey_engine.cli import main
from tests.survey_engine.i18n.support import cli, invoke, make_project, po

COMMANDS = ["init", "update", "compile", "status", "check"]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    project = make_project(tmp_path)
    cli(project, "extract")
    return project


@pytest.mark.parametrize("command", COMMANDS)
def test_a_code_that_is_no_language_is_a_usage_error(project: Path, command: str) -> None:
    result = invoke(project, command, "--lang", "xx")
    assert result.exit_code == 2
    assert "Invalid value for --lang: 'xx' is not a language code" in result.output
    assert not (project / "locales" / "xx").exists()


@pytest.mark.parametrize("command", COMMANDS)
def test_a_language_not_offered_is_refused_naming_the_offered_ones(project: Path,
                                                                   command: str) -> None:
    result = invoke(project, command, "--lang", "de")
    assert result.exit_code == 1
    assert "error: 'de' is not offered by pipeline, so it has no catalog (offered: " \
           "en (source), tr, ru)" in result.output
    assert not (project / "locales" / "de").exists()


def test_the_source_language_is_refused_with_the_reason(project: Path) -> None:
    code, output = cli(project, "init", "--lang", "en")
    assert code == 1 and "'en' is the source language of pipeline" in output


def test_several_domains_name_the_languages_they_do_offer(project: Path) -> None:
    result = invoke(project, "status", "--lang", "ja", domain=None)
    assert result.exit_code == 1
    assert "none of the selected domains has a catalog in 'ja' (catalog languages: de, fr, " \
           "nl, ru, sq, tr)" in result.output


def test_status_with_an_offered_language_still_works(project: Path) -> None:
    code, output = cli(project, "status", "--lang", "ru")
    assert code == 0 and output.splitlines()[1].split()[1:] == ["ru", "0", "0", "7"]


def test_init_says_what_it_created_and_what_it_kept(project: Path) -> None:
    code, output = cli(project, "init", "--lang", "tr")
    assert code == 0 and output.strip() == f"created {po(project, 'tr')}"
    code, output = cli(project, "init")
    assert code == 0
    assert f"kept {po(project, 'tr')} (exists; 'survey-engine i18n update'" in output
    assert f"created {po(project, 'ru')}" in output


def test_a_domain_only_in_its_source_language_says_there_is_nothing_to_do(
        project: Path) -> None:
    source = project / "questionnaires" / "pipeline.yaml"
    source.write_text(source.read_text("utf-8").replace("[en, tr, ru]", "[en]"), "utf-8")
    for command in ("init", "update"):
        code, output = cli(project, command)
        assert code == 0 and "nothing to do" in output


def test_update_names_the_catalogs_it_cannot_update(project: Path) -> None:
    cli(project, "init", "--lang", "tr")
    code, output = cli(project, "update")
    assert code == 0
    assert f"updated {po(project, 'tr')}" in output
    assert f"skipped {po(project, 'ru')}: no catalog yet (create it with 'survey-engine i18n " \
           "init --lang ru --domain pipeline')" in output


@pytest.mark.parametrize("command", ["extract", *COMMANDS])
def test_every_subcommand_help_has_examples(command: str) -> None:
    result = CliRunner().invoke(main, ["i18n", command, "--help"])
    assert result.exit_code == 0
    examples = result.output.split("Examples:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert len(examples) >= 2
    assert all(line.startswith("    survey-engine i18n ") for line in examples)
    assert any(f"i18n {command}" in line for line in examples)
