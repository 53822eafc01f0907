"""``survey-engine results``: export a campaign's interviews, compute its AAPOR outcome rates,
and write its report for the client."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import click

from dialer.campaigns import campaign_by_code
from results.cases import DIMENSIONS, iter_cases, rate_table
from results.export import export_campaign
from results.exporters import available_formats
from results.rates import RATE_NAMES, as_e, percent
from results.records import Selection, snapshot
from survey_engine.cli.common import echo_table, locales_option, resolve_locales
from survey_engine.cli.database import open_database

#: From this many interviews on, an export shows a progress bar (on a terminal).
PROGRESS_FROM = 2000


@click.group()
def results() -> None:
    """Results: exports of interviews, AAPOR outcome rates, the client's report.

    Everything here only reads the database, in one consistent snapshot: exporting while the
    centre keeps calling is safe, and what is exported is what the trace vouches for.

    \b
    Examples:
      survey-engine results export LUMEN-CSAT-2025 --format sav --lang ru
      survey-engine results export COFFEE-2025 --format csv --out coffee.csv
      survey-engine results rates LUMEN-CSAT-2025 --by language --by day
      survey-engine results report LUMEN-CSAT-2025 --out lumen-report.html
    """


@contextmanager
def _progress(label: str) -> Iterator[tuple[Callable[[int], None], Callable[[int], None]]]:
    """``(on_start, advance)``: a progress bar on a terminal's standard error, drawn once the
    amount of work is known and large enough."""
    with ExitStack() as stack:
        bar: list[Callable[[int], None]] = []

        def on_start(total: int) -> None:
            if sys.stderr.isatty() and total >= PROGRESS_FROM:
                bar.append(stack.enter_context(
                    click.progressbar(length=total, label=label, file=sys.stderr)).update)

        def advance(amount: int) -> None:
            if bar:
                bar[0](amount)

        yield on_start, advance


@results.command("export")
@click.argument("campaign_code", metavar="CAMPAIGN")
@click.option("--format", "format_name", required=True, metavar="FORMAT",
              help=f"The file format: {', '.join(available_formats())}.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The file to write (default: CAMPAIGN with the format's suffix, here). "
                   "Files beside it share its name: NAME.codebook.csv, NAME.asc.")
@click.option("--lang", "language", default=None, metavar="LANG",
              help="The language of labels (default: the client's, if the questionnaire is "
                   "in it, else the questionnaire's own).")
@click.option("--all", "include_open", is_flag=True,
              help="Also export interviews whose contact may still be called (by default "
                   "only settled cases).")
@locales_option
def export_command(campaign_code: str, format_name: str, out: Path | None,
                   language: str | None, include_open: bool, locales: Path | None) -> None:
    """Export the interviews of CAMPAIGN, one row (or line) per interview.

    Every format carries, per interview, the questionnaire version, the language, the
    agent's code (never more about the agent), the AAPOR disposition, the calls placed and
    the trace digest that vouches for the answers (`survey-engine trace verify`). Contact
    fields are left out unless the campaign lists them in `export_contact_fields`.

    \b
    Formats:
      csv    one column per variable (multiple choices as 0/1 columns, details in their
             own columns, special answers as their codes) and NAME.codebook.csv
      jsonl  one interview per line: answers as stored, outcome, trace digest
      xlsx   a sheet of interviews and a sheet with the codebook
      sav    SPSS: variable and value labels, special codes as missing values,
             measurement levels; labels over SPSS's limits are shortened, with a warning
      sss    Triple-S XML 2.0 with its fixed-width data file NAME.asc

    \b
    Examples:
      survey-engine results export LUMEN-CSAT-2025 --format sav --lang ru
      survey-engine results export LUMEN-CSAT-2025 --format csv --out lumen.csv
      survey-engine results export COFFEE-2025 --format sss --all
    """
    engine = open_database()
    selection = Selection.ALL if include_open else Selection.FINAL
    try:
        with _progress(f"exporting {campaign_code}") as (on_start, advance):
            result = export_campaign(engine, campaign_code, format_name, out,
                                     language=language, selection=selection,
                                     locales=resolve_locales(locales), on_start=on_start,
                                     progress=advance)
    finally:
        engine.dispose()
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    files = ", ".join(str(path) for path in result.files)
    click.echo(f"exported {result.interviews} interviews of {campaign_code} "
               f"(labels in {result.language}) to {files}")


@results.command("rates")
@click.argument("campaign_code", metavar="CAMPAIGN")
@click.option("--by", "dimensions", multiple=True, type=click.Choice(DIMENSIONS),
              help="Also give the rates per language, site or day; repeat for several "
                   "(default: all three).")
@click.option("--e", "e_value", default=None, metavar="E",
              help="The share of unknown-eligibility cases taken as eligible, 0 to 1 "
                   "(default: estimated from each row's cases, proportionally).")
@click.option("--rates", "names", default="RR1,RR3,RR5,COOP1,REF1,CON1", show_default=True,
              help=f"Which rates to show, comma-separated, or 'all' ({', '.join(RATE_NAMES)}).")
def rates_command(campaign_code: str, dimensions: tuple[str, ...], e_value: str | None,
                  names: str) -> None:
    """AAPOR outcome rates of CAMPAIGN: response, cooperation, refusal and contact.

    Every contact is a case, with its final disposition (or its latest, while it may still
    be called: interim rates). The site and day of a case are those of its last attempt
    (the agent's site, the date in the site's time zone). The formulas are the AAPOR
    Standard Definitions' (docs/results.md); e is estimated by the proportional method
    unless given.

    \b
    Examples:
      survey-engine results rates LUMEN-CSAT-2025
      survey-engine results rates LUMEN-CSAT-2025 --by language --e 0.8 --rates all
      survey-engine results rates COFFEE-2025 --by site --by day --rates RR1,RR2,COOP1
    """
    wanted = list(RATE_NAMES) if names == "all" else [n.strip().upper() for n in names.split(",")]
    unknown = [name for name in wanted if name not in RATE_NAMES]
    if unknown:
        raise click.BadParameter(f"unknown rates {unknown}; known: {', '.join(RATE_NAMES)}",
                                 param_hint="--rates")
    e = as_e(e_value) if e_value is not None else None
    engine = open_database()
    try:
        with snapshot(engine) as session:
            campaign = campaign_by_code(session, campaign_code)
            rows = rate_table(iter_cases(session, campaign.id), e, dimensions or DIMENSIONS)
    finally:
        engine.dispose()
    table = [[row.dimension, row.value, str(row.cases), *(str(getattr(row.counts, group))
              for group in ("I", "P", "R", "NC", "O", "UH", "UO", "NE")),
              "–" if row.e is None else f"{float(row.e):.3f}",
              *(percent(row.rates[name]) for name in wanted)] for row in rows]
    echo_table(["BY", "VALUE", "CASES", "I", "P", "R", "NC", "O", "UH", "UO", "NE", "E",
                *wanted], table)
    if e is None:
        click.echo("e: estimated per row (eligible / (eligible + not eligible))")


@results.command("report")
@click.argument("campaign_code", metavar="CAMPAIGN")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The HTML file to write (default: CAMPAIGN-report.html, here).")
@click.option("--lang", "language", default=None, metavar="LANG",
              help="The report's language (default: the client's).")
@locales_option
def report_command(campaign_code: str, out: Path | None, language: str | None,
                   locales: Path | None) -> None:
    """Write the HTML report of CAMPAIGN for its client.

    One self-contained file in the client's language, charts included as images: completes
    per day and per language, the outcome of every case and the main AAPOR rates, the
    answers to each question (NPS with its promoters, passives and detractors), and the
    agents' productivity by pseudonymous code. Free-text answers are counted, never quoted.

    \b
    Examples:
      survey-engine results report LUMEN-CSAT-2025
      survey-engine results report LUMEN-CSAT-2025 --lang fr --out lumen-fr.html
    """
    from results.report import write_report  # matplotlib: loaded for this command only

    engine = open_database()
    try:
        result = write_report(engine, campaign_code, out, language=language,
                              locales=resolve_locales(locales))
    finally:
        engine.dispose()
    click.echo(f"wrote the report of {campaign_code} ({result.interviews} settled interviews, "
               f"in {result.language}) to {result.path}")
