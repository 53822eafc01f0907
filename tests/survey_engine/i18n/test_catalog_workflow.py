"""The translation pipeline end to end, on a questionnaire of the test's own: extract, init,
status, check, update, compile, and fielding refused while a catalog is incomplete."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po
from click.testing import CliRunner

from survey_engine.cli import main
from survey_engine.errors import CatalogError
from survey_engine.i18n.catalog import load_wording
from survey_engine.questionnaire.loader import load
from tests.survey_engine.i18n.support import SURVEY, TURKISH, cli, make_project, po, translate


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path)


def test_extract_writes_contexts_and_translator_comments(project: Path) -> None:
    code, output = cli(project, "extract")
    assert code == 0, output
    template = (project / "locales" / "pipeline.pot").read_text("utf-8")
    assert 'msgctxt "pipeline/why/text"\nmsgid "Why {score}?"' in template
    assert "#. text question; placeholders: {score}" in template
    assert 'msgctxt "pipeline/colour/options/2"' in template
    assert "#: pipeline.yaml:" in template


def test_init_sets_plural_forms_explicitly(project: Path) -> None:
    cli(project, "extract")
    code, output = cli(project, "init")
    assert code == 0, output
    assert '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"' in po(project, "tr").read_text()
    assert "nplurals=3" in po(project, "ru").read_text()
    assert not (project / "locales" / "en").exists()  # the source language needs none


def test_status_counts_fuzzy_and_empty_as_not_translated(project: Path) -> None:
    cli(project, "extract")
    cli(project, "init")
    partial = dict(list(TURKISH.items())[:5])
    translate(po(project, "tr"), partial, fuzzy={"Why {score}?"})
    code, output = cli(project, "status")
    assert code == 0
    rows = {line.split()[1]: line.split()[2:] for line in output.splitlines()[1:]}
    assert rows["tr"] == ["4", "1", "2"]
    assert rows["ru"] == ["0", "0", "7"]


def test_check_names_each_fault(project: Path) -> None:
    cli(project, "extract")
    cli(project, "init")
    faulty = dict(TURKISH)
    faulty["Why {score}?"] = "Neden {puan}?"
    faulty["Red"] = ""
    translate(po(project, "tr"), faulty, fuzzy={"Blue"})
    code, output = cli(project, "check", "--lang", "tr")
    assert code == 1
    assert "placeholders of [pipeline/why/text] 'Why {score}?' differ" in output
    assert "empty entry [pipeline/colour/options/1] 'Red'" in output
    assert "fuzzy entry [pipeline/colour/options/2] 'Blue'" in output
    translate(po(project, "tr"), TURKISH)
    path = po(project, "tr")
    path.write_text(path.read_text("utf-8").replace("nplurals=2; plural=(n != 1);",
                                                    "nplurals=1; plural=0;"), "utf-8")
    code, output = cli(project, "check", "--lang", "tr")
    assert code == 1 and "Plural-Forms is 'nplurals=1; plural=0;'" in output


def test_check_finds_missing_plural_forms_in_the_messages_domain(tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["--questionnaires", str(tmp_path), "--locales", str(tmp_path), "--domain",
            "messages", "--lang", "ru"]
    assert runner.invoke(main, ["i18n", "extract", *args[:-2]]).exit_code == 0
    assert runner.invoke(main, ["i18n", "init", *args]).exit_code == 0
    path = tmp_path / "ru" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if message.id:
            message.string = (("x %(count)d", "y %(count)d", "") if message.pluralizable
                              else message.id)
    with path.open("wb") as handle:
        write_po(handle, catalog)
    result = runner.invoke(main, ["i18n", "check", *args])
    assert result.exit_code == 1
    assert "plural forms missing for 'Please choose at least %(count)d option.': 2 of 3" \
        in result.output


def test_update_turns_changed_texts_fuzzy(project: Path) -> None:
    cli(project, "extract")
    cli(project, "init")
    translate(po(project, "tr"), TURKISH)
    source = project / "questionnaires" / "pipeline.yaml"
    source.write_text(SURVEY.replace("Favourite colour?", "Your favourite colour?"), "utf-8")
    cli(project, "extract")
    code, _ = cli(project, "update")
    assert code == 0
    code, output = cli(project, "status", "--lang", "tr")
    assert output.splitlines()[1].split()[2:] == ["6", "1", "0"]


def test_fielding_refused_until_complete_then_pinned_by_hash(project: Path) -> None:
    cli(project, "extract")
    cli(project, "init")
    questionnaire = load(project / "questionnaires" / "pipeline.yaml")
    root = project / "locales"
    with pytest.raises(CatalogError) as caught:
        load_wording(questionnaire, "tr", root)
    assert caught.value.code == "catalog_missing"
    translate(po(project, "tr"), dict(list(TURKISH.items())[:6]))
    cli(project, "compile")
    with pytest.raises(CatalogError) as caught:
        load_wording(questionnaire, "tr", root)
    assert caught.value.code == "catalog_incomplete"
    assert len(caught.value.missing) == 1 and "'Blue'" in caught.value.missing[0]
    translate(po(project, "tr"), TURKISH)
    # Later than the compiled catalog, by the file system's clock (not the tests' present).
    future = (root / "tr" / "LC_MESSAGES" / "pipeline.mo").stat().st_mtime + 5
    os.utime(po(project, "tr"), (future, future))
    with pytest.raises(CatalogError) as caught:
        load_wording(questionnaire, "tr", root)
    assert caught.value.code == "catalog_stale"
    cli(project, "compile")
    mo = root / "tr" / "LC_MESSAGES" / "pipeline.mo"
    os.utime(mo, (future + 1, future + 1))
    wording = load_wording(questionnaire, "tr", root)
    assert wording.sha256 is not None and len(wording.sha256) == 64
    assert wording.lookup("pipeline/why/text", "Why {score}?") == "Neden {score}?"
    with pytest.raises(CatalogError) as caught:
        load_wording(questionnaire, "de", root)
    assert caught.value.code == "language_not_offered"


def test_pybabel_extract_uses_the_registered_extractor(project: Path) -> None:
    mapping = project / "babel.cfg"
    mapping.write_text("[questionnaire: **.yaml]\n", encoding="utf-8")
    output = project / "out.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run([str(pybabel), "extract", "-F", str(mapping), "-o", str(output),
                    str(project / "questionnaires")], check=True, capture_output=True)
    text = output.read_text("utf-8")
    assert 'msgctxt "pipeline/score/text"' in text
    assert "#. nps question" in text
