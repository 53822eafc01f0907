"""A questionnaire's catalogs say which questionnaire, version and language they are for:
the template names the questionnaire and its version, ``init`` and ``update`` carry it into
the catalogs, and ``i18n check`` refuses a catalog of another questionnaire, version or
language, as the client portal does before it accepts one. A questionnaire with a
``locales/`` folder beside its file reads its catalogs there."""

from __future__ import annotations

import shutil
from pathlib import Path

from babel.messages.pofile import read_po, write_po

from survey_engine.i18n.catalog import load_wording
from survey_engine.i18n.paths import own_catalogs
from survey_engine.questionnaire.loader import load
from tests.survey_engine.i18n.support import SURVEY, TURKISH, cli, make_project, po, translate


def translated_project(tmp_path: Path) -> Path:
    project = make_project(tmp_path)
    for step in ("extract", "init"):
        assert cli(project, step)[0] == 0
    for language in ("tr", "ru"):
        translate(po(project, language), TURKISH)
    assert cli(project, "check")[0] == 0
    return project


def rewrite_header(path: Path, **fields: str) -> None:
    with path.open("rb") as handle:
        catalog = read_po(handle)
    for name, value in fields.items():
        setattr(catalog, name, value)
    with path.open("wb") as handle:
        write_po(handle, catalog)


def test_the_template_and_the_catalogs_name_the_questionnaire_and_version(
        tmp_path: Path) -> None:
    project = translated_project(tmp_path)
    for path in (project / "locales" / "pipeline.pot", po(project, "tr")):
        with path.open("rb") as handle:
            catalog = read_po(handle)
        assert (catalog.project, catalog.version) == ("pipeline", "1")
    (project / "questionnaires" / "pipeline.yaml").write_text(
        SURVEY.replace("version: 1", "version: 2"), encoding="utf-8")
    assert cli(project, "extract")[0] == 0
    assert cli(project, "update")[0] == 0
    with po(project, "tr").open("rb") as handle:
        assert read_po(handle).version == "2"
    assert cli(project, "check")[0] == 0  # the same texts: still complete


def test_check_refuses_a_catalog_of_another_version_questionnaire_or_language(
        tmp_path: Path) -> None:
    project = translated_project(tmp_path)
    rewrite_header(po(project, "tr"), version="4")
    code, output = cli(project, "check", "--lang", "tr")
    assert code == 1
    assert f"{po(project, 'tr')}:1: this catalog is for version 4 of pipeline, not version 1" \
        in output
    rewrite_header(po(project, "tr"), project="market-study", version="1")
    code, output = cli(project, "check", "--lang", "tr")
    assert code == 1
    assert output.count(str(po(project, "tr"))) == 1  # that alone: its entries are not ours
    assert "this catalog is for 'market-study 1' (Project-Id-Version), not for 'pipeline 1'" \
        in output
    shutil.copyfile(po(project, "ru"), po(project, "tr"))
    code, output = cli(project, "check", "--lang", "tr")
    assert code == 1
    assert "this catalog is in 'ru' (Language), not in 'tr'" in output


def test_a_questionnaire_keeps_its_catalogs_beside_its_file(tmp_path: Path) -> None:
    project = translated_project(tmp_path)
    assert cli(project, "compile")[0] == 0
    own = tmp_path / "own"
    own.mkdir()
    shutil.copyfile(project / "questionnaires" / "pipeline.yaml", own / "pipeline.yaml")
    assert own_catalogs(own / "pipeline.yaml") is None
    shutil.copytree(project / "locales", own / "locales")
    assert own_catalogs(own / "pipeline.yaml") == own / "locales"
    assert own_catalogs(tmp_path / "missing.yaml") is None
    questionnaire = load(own / "pipeline.yaml")
    elsewhere = tmp_path / "empty-locales"
    elsewhere.mkdir()
    wording = load_wording(questionnaire, "tr", elsewhere)  # its own catalogs win
    assert wording.lookup("pipeline/colour/options/1", "Red") == "Kırmızı"
