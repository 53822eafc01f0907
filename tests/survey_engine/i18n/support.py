"""A throw-away translation project for the i18n tests: one questionnaire (``pipeline``,
offered in en, tr and ru) in ``tmp_path``, never the repository's own catalogs."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from babel.messages.pofile import read_po, write_po
from click.testing import CliRunner, Result

from survey_engine.cli import main

SURVEY = """\
questionnaire: pipeline
version: 1
title: Pipeline test
source_language: en
languages: [en, tr, ru]
contact_fields:
  first_name: {type: text}
intro: Hello {contact.first_name}.
questions:
  - id: score
    type: nps
    text: How likely are you to recommend us?
  - id: why
    type: text
    text: Why {score}?
  - id: colour
    type: single_choice
    text: Favourite colour?
    options: {1: Red, 2: Blue}
"""

TURKISH = {
    "Pipeline test": "Boru hattı testi",
    "Hello {contact.first_name}.": "Merhaba {contact.first_name}.",
    "How likely are you to recommend us?": "Bizi tavsiye etme olasılığınız nedir?",
    "Why {score}?": "Neden {score}?",
    "Favourite colour?": "En sevdiğiniz renk?",
    "Red": "Kırmızı",
    "Blue": "Mavi",
}


def make_project(root: Path) -> Path:
    """``root/questionnaires/pipeline.yaml`` and an empty ``root/locales``; returns ``root``."""
    (root / "questionnaires").mkdir()
    (root / "questionnaires" / "pipeline.yaml").write_text(SURVEY, encoding="utf-8")
    (root / "locales").mkdir()
    return root


def invoke(project: Path, *args: str, domain: str | None = "pipeline") -> Result:
    """``survey-engine i18n ARGS`` on the project's questionnaires and catalogs."""
    selection = ["--domain", domain] if domain else []
    return CliRunner().invoke(main, ["i18n", *args, "--questionnaires",
                                     str(project / "questionnaires"), "--locales",
                                     str(project / "locales"), *selection])


def cli(project: Path, *args: str) -> tuple[int, str]:
    """Exit code and output (stdout and stderr) of ``survey-engine i18n ARGS``."""
    result = invoke(project, *args)
    return result.exit_code, result.output


def po(project: Path, lang: str) -> Path:
    return project / "locales" / lang / "LC_MESSAGES" / "pipeline.po"


def mo(project: Path, lang: str) -> Path:
    return project / "locales" / lang / "LC_MESSAGES" / "pipeline.mo"


def translate(path: Path, strings: dict[str, str], fuzzy: Collection[str] = ()) -> None:
    """Set the translations of ``path`` by source text; mark ``fuzzy`` ones fuzzy."""
    with path.open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if message.id in strings:
            message.string = strings[message.id]
        if message.id in fuzzy:
            message.flags.add("fuzzy")
    with path.open("wb") as handle:
        write_po(handle, catalog)


def translated_project(root: Path, strings: dict[str, str] | None = None) -> Path:
    """A project whose Turkish catalog is extracted, created and translated (not compiled)."""
    project = make_project(root)
    cli(project, "extract")
    cli(project, "init", "--lang", "tr")
    translate(po(project, "tr"), TURKISH if strings is None else strings)
    return project
