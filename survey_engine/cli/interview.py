"""``survey-engine interview``: test a questionnaire's logic with scripted interviews, or
take an interview yourself in the terminal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import yaml

from survey_engine.cli.common import load_or_exit, locales_option, resolve_locales
from survey_engine.errors import EngineError, InterviewError
from survey_engine.expressions import DONT_KNOW, REFUSED
from survey_engine.i18n import formatting
from survey_engine.i18n.catalog import load_wording
from survey_engine.i18n.messages import translations
from survey_engine.interview import Interview
from survey_engine.interview.scripts import load_cases, run_script
from survey_engine.questionnaire.model import Questionnaire


def _language(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise click.BadParameter("give a language code such as fr, or leave the option out "
                                 "for the questionnaire's source language")
    return value


LANGUAGE_HELP = "Interview language (default: the questionnaire's source language)."


@click.group()
def interview() -> None:
    """Walk questionnaires: scripted tests, or an interactive interview."""


@interview.command("test")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("script", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--lang", callback=_language, help=LANGUAGE_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON result per case.")
@locales_option
def test(file: Path, script: Path, lang: str | None, as_json: bool,
         locales: Path | None) -> None:
    """Run every case of SCRIPT through questionnaire FILE, without calling anyone.

    For each question asked, the case's `rejected` answers are given first (each must be
    refused), then its answer from `answers`. The path, outcome and `piped` texts are
    compared with the case's expectations. Prints a line per case and exits 1 if any fails.

    \b
    Example:
      survey-engine interview test questionnaires/market-study.yaml \\
          questionnaires/market-study.interviews.yaml --lang sq
    """
    questionnaire = load_or_exit(file)
    try:
        cases = load_cases(script, questionnaire)
        wording = load_wording(questionnaire, lang or questionnaire.source_language,
                               resolve_locales(locales))
    except EngineError as error:
        if not as_json:
            raise
        click.echo(json.dumps({"error": error.code, "message": error.message},
                              ensure_ascii=False, indent=2))
        raise SystemExit(1) from None
    results = run_script(questionnaire, wording, cases)
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in results], ensure_ascii=False, indent=2,
                              default=str))
    else:
        for result in results:
            mark = "passed" if result.passed else f"FAILED: {result.failure}"
            click.echo(f"{result.name}: {mark}")
        failed = sum(not r.passed for r in results)
        click.echo(f"{len(results) - failed} of {len(results)} cases passed "
                   f"({wording.language})", err=True)
    if any(not r.passed for r in results):
        raise SystemExit(1)


def _parse_contact(pairs: tuple[str, ...]) -> dict[str, Any]:
    contact: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise click.BadParameter(f"{pair!r}: write FIELD=VALUE", param_hint="--contact")
        contact[name.strip()] = value
    return contact


def _ask_missing_fields(questionnaire: Questionnaire, contact: dict[str, Any],
                        gettext: Any) -> None:
    for name, field in questionnaire.contact_fields.items():
        if name not in contact:
            hint = f"{name} ({field.type}{'' if field.required else ', optional'})"
            contact[name] = click.prompt(gettext("Contact field %(field)s") % {"field": hint},
                                         default="" if not field.required else None,
                                         show_default=False)


@interview.command("run")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--lang", callback=_language, help=LANGUAGE_HELP)
@click.option("--ui-lang", default="en", show_default=True,
              help="Language of this program's own prompts.")
@click.option("--contact", "contact_pairs", multiple=True, metavar="FIELD=VALUE",
              help="A contact field; repeat. Missing required fields are asked for.")
@click.option("--contact-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A YAML mapping of contact fields.")
@click.option("--seed", default="terminal", show_default=True,
              help="Any text: the same seed shuffles randomized options in the same order "
                   "(each respondent gets their own in the call centre).")
@click.option("--save", "save_to", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the final interview state (JSON) to this file.")
@locales_option
def run(file: Path, lang: str | None, ui_lang: str, contact_pairs: tuple[str, ...],
        contact_file: Path | None, seed: str, save_to: Path | None,
        locales: Path | None) -> None:
    """Take the interview of questionnaire FILE yourself, in the terminal.

    Type the answer the respondent gives:

    \b
      3            an option code
      1 3          several codes, for a multi-choice question (or 1,3)
      6: at a fair an option that asks for details, with what the respondent said
      2,5          a number, written the interview language's way (2.5 in English)
      1/3/2024     a date, the language's way, or 2024-03-01
      1 / 2        yes / no
      Enter or 1   confirms a value read back (verify); anything else is the correction
      ?  !         don't know, refused (where the question allows them)
      <            back one question
      :q           stop without finishing (also end of input, Ctrl-D)

    \b
    Examples:
      survey-engine interview run questionnaires/customer-satisfaction.yaml --lang ru
      survey-engine interview run survey.yaml --contact first_name=Ana \\
          --contact-file contact.yaml --save state.json
    """
    questionnaire = load_or_exit(file)
    wording = load_wording(questionnaire, lang or questionnaire.source_language,
                           resolve_locales(locales))
    _ = translations(ui_lang).gettext
    heard = translations(wording.language).gettext
    contact = yaml.safe_load(contact_file.read_text("utf-8")) if contact_file else {}
    contact.update(_parse_contact(contact_pairs))
    _ask_missing_fields(questionnaire, contact, _)
    session = Interview.start(questionnaire, wording, contact, seed=seed)
    click.secho(questionnaire.title, bold=True)
    if questionnaire.intro:
        click.echo(session.intro())
    while (prompt := session.current()) is not None:
        progress = session.progress()
        click.echo()
        done = formatting.percent(progress.percent / 100, ui_lang)
        click.secho(f"[{done}] {prompt.question_id}", dim=True)
        click.secho(prompt.text, bold=True)
        for option in prompt.options:
            click.echo(f"  {option.code:>3}  {option.label}")
        if prompt.type == "yes_no":
            click.echo(f"    1  {heard('yes')}\n    2  {heard('no')}")
        if prompt.type == "verify":
            click.secho(_("1 (or Enter) if confirmed; otherwise type the correct value."),
                        dim=True)
        try:
            reply = click.prompt(">", default="", show_default=False, prompt_suffix=" ")
        except click.Abort:  # end of input: stop as :q does, keeping what was answered
            click.echo()
            reply = ":q"
        if reply == ":q":
            click.echo(_("Stopped; the interview is not finished."))
            break
        if reply == "<":
            try:
                session.back()
            except InterviewError:
                click.echo(_("This is the first question."))
            continue
        specials = {"?": DONT_KNOW, "!": REFUSED}
        step = session.answer(specials[reply]) if reply in specials else \
            session.answer_text(reply)
        if not step.accepted:
            click.secho(step.message or "", fg="yellow")
    if session.outcome is not None:
        click.echo()
        if session.outcome == "complete" and questionnaire.closing:
            click.echo(session.closing())
        click.secho(_("Outcome: %(outcome)s") % {"outcome": session.outcome}, bold=True)
    if save_to is not None:
        save_to.write_text(session.to_json(), encoding="utf-8")
