"""``survey-engine demo``: the web application with a dialer worker on the sample centre
(what ``make demo`` runs, :mod:`survey_engine.cli.demo_live`), or with ``--tour`` a scripted
tour of the engine in the terminal."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import click

from dialer.windows import local_time
from survey_engine.cli.common import SCRIPT_SUFFIX, questionnaire_files, resolve_locales
from survey_engine.cli.demo_centre import BRUSSELS, tour_call_centre
from survey_engine.cli.demo_simulation import tour_simulation
from survey_engine.errors import CatalogError
from survey_engine.i18n.catalog import Wording, load_wording
from survey_engine.interview.scripts import Case, CaseResult, load_cases, run_case, run_script
from survey_engine.questionnaire.loader import load
from survey_engine.questionnaire.model import Questionnaire


@click.command()
@click.option("--tour", is_flag=True,
              help="Print the terminal tour instead of starting the web application.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535),
              help="Port of the web application on 127.0.0.1 (0: a free one).")
@click.option("--questionnaires", "questionnaires_dir",
              type=click.Path(file_okay=False, path_type=Path), default=None,
              help="With --tour: folder of questionnaire files (default: questionnaires/).")
def demo(tour: bool, port: int, questionnaires_dir: Path | None) -> None:
    """Start the real thing on this machine: the embedded database with the sample centre
    and a running campaign, a dialer worker on the sim telephony backend, and the web
    application on 127.0.0.1; print the address and the demo sign-ins (one per role, and
    agents with different interface languages); run until Ctrl-C.

    With --tour, print the terminal tour instead: the sample questionnaires validated and
    interviewed in every language, who is given whom by night and by day, and a simulated
    day of calls with its verified trace.

    \b
    Examples:
      survey-engine demo
      survey-engine demo --port 8090
      survey-engine demo --tour
      survey-engine demo --tour --questionnaires my-surveys/
    """
    if not tour:
        from survey_engine.cli.demo_live import run_live_demo

        run_live_demo(port)
        return
    root = resolve_locales(None)
    for path in questionnaire_files(questionnaires_dir):
        questionnaire = load(path)
        click.secho(f"\n== {questionnaire.title} ({questionnaire.slug} v"
                    f"{questionnaire.version}, {len(questionnaire.questions)} questions)",
                    bold=True)
        script = path.with_name(path.name.removesuffix(".yaml") + SCRIPT_SUFFIX)
        cases = load_cases(script, questionnaire) if script.exists() else []
        for language in questionnaire.languages:
            try:
                wording = load_wording(questionnaire, language, root)
            except CatalogError as error:
                click.secho(f"  {language}: cannot be fielded: {error.message.splitlines()[0]}",
                            fg="yellow")
                continue
            results = run_script(questionnaire, wording, cases)
            passed = sum(r.passed for r in results)
            click.echo(f"  {language}: {passed}/{len(results)} scripted interviews pass")
            for label, text in _samples(questionnaire, wording, cases, results):
                click.echo(f"      {label}: {text}")
    afternoon_instant = tour_call_centre()
    tour_simulation(local_time(afternoon_instant, BRUSSELS).date())
    afternoon = local_time(afternoon_instant, BRUSSELS).isoformat(timespec="minutes")
    command = _command()
    click.echo("\nTry it yourself:\n"
               f"  {command} demo        # the web application, with a dialer worker\n"
               f"  {command} interview run questionnaires/customer-satisfaction.yaml "
               "--lang tr\n"
               f"  {command} validate questionnaires/*.yaml\n"
               f"  {command} i18n status\n"
               f"  {command} dispatch next BEV-017 --at {afternoon} --count 4\n"
               f"  {command} dispatch backlog\n"
               f"  {command} simulate --campaign LUMEN-CSAT-2025 --days 5 "
               "--agents 'nl=6,fr=6,tr=2,ru=2,sq=2,en=2' --contacts 5000\n"
               f"  {command} trace verify\n"
               "The format is documented in docs/questionnaire-format.md.")


def _command() -> str:
    """How to call this program from here: its name when it is on the PATH, else its path
    inside the virtual environment ``make demo`` created."""
    if shutil.which("survey-engine"):
        return "survey-engine"
    installed = Path(sys.executable).parent / "survey-engine"
    try:
        return str(installed.relative_to(Path.cwd()))
    except ValueError:
        return str(installed)


def _samples(questionnaire: Questionnaire, wording: Wording, cases: list[Case],
             results: list[CaseResult]) -> list[tuple[str, str]]:
    """What to show of one language: the first question, a text with a piped answer, and a
    refused answer's message, each as the respondent hears it."""
    if not cases:
        return []
    shown = run_case(questionnaire, wording, cases[0]).texts
    samples = list(shown.items())[:1]
    piped = [ident for ident in cases[0].piped if ident in shown]
    if piped:
        samples.append((piped[0], shown[piped[0]]))
    refusals = [item for result in results for item in result.rejected]
    if refusals:
        first = refusals[0]
        samples.append((f"{first['question']} = {first['value']!r} refused",
                        str(first["message"])))
    return samples
