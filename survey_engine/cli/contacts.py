"""``survey-engine contacts``: import contact files, the do-not-call list, agent exclusions."""

from __future__ import annotations

import os
from pathlib import Path

import click

from dialer.contacts import add_do_not_call, add_exclusion
from dialer.db import transaction
from dialer.importing import import_contacts, work_size
from dialer.people import agent_by_code
from survey_engine.cli.common import progress_bar
from survey_engine.cli.database import open_database

#: Rejections printed on the terminal; the report file has them all.
SHOWN_REJECTIONS = 20


@click.group()
def contacts() -> None:
    """Contacts to call, numbers never to call, and numbers an agent must never reach."""


@contacts.command("import")
@click.argument("campaign")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--reject-report", type=click.Path(dir_okay=False, path_type=Path),
              help="Write every rejected line (line, reason, message) to this CSV file.")
def import_command(campaign: str, file: Path, reject_report: Path | None) -> None:
    """Import the contacts of FILE (CSV or XLSX) into CAMPAIGN: all of them, or none.

    \b
    Columns (first row, any order, case-insensitive):
      phone       the number: international (+32 470 12 34 56) or national in the
                  campaign's first country
      language    the interview language, one of the campaign's languages
      time_zone   optional IANA name (America/Toronto), one of the number's zones;
                  otherwise taken from the number, and a number whose country spans
                  several zones is rejected (the zone decides the calling hours)
      ...         one column per contact field the questionnaire declares

    CSV files may use any common encoding (UTF-8, UTF-16, Windows code pages) and
    delimiter (, ; tab |). A line is rejected for an invalid, premium-rate or
    shared-cost number, a number of another country or type than the campaign allows,
    a number on the do-not-call list, already in the campaign or repeated in the file,
    a missing or unknown language or zone, a missing required field or a malformed
    value. One rejected line means nothing is stored: fix the file and run again.

    Exits 0 when everything was imported, 1 otherwise.

    \b
    Example:
      survey-engine contacts import LUMEN-CSAT-2025 samples/lumen-contacts.csv \\
          --reject-report rejected.csv
    """
    if reject_report is not None:
        _check_writable(reject_report)
    engine = open_database()
    with progress_bar(work_size(file), f"Importing {file.name}") as advance:
        report = import_contacts(engine, campaign, file, reject_report=reject_report,
                                 progress=advance)
    engine.dispose()
    if not report.rejected:
        set_aside = (f" ({report.set_aside} set aside at once: a closed quota matches them)"
                     if report.set_aside else "")
        click.echo(f"imported {report.imported} contacts into {report.campaign}{set_aside}")
        return
    for rejection in report.first_rejections[:SHOWN_REJECTIONS]:
        click.echo(f"{file}:{rejection.line}: {rejection.reason}: {rejection.message}", err=True)
    more = report.rejected - min(report.rejected, SHOWN_REJECTIONS)
    if more:
        click.echo(f"... and {more} more", err=True)
    where = f"; every rejection is in {report.reject_report}" if report.reject_report else \
        "; use --reject-report FILE for the full list"
    click.echo(f"error: {report.rejected} of {report.rows} lines rejected, nothing imported"
               f"{where}", err=True)
    raise SystemExit(1)


def _check_writable(report: Path) -> None:
    """Refuse, before any work, a reject report that could not be written (its folder is made
    if missing, as the report would make it)."""
    folder = report.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise click.BadParameter(f"{report}: {error.strerror}",
                                 param_hint="--reject-report") from None
    if report.is_dir() or not os.access(folder, os.W_OK) \
            or (report.exists() and not os.access(report, os.W_OK)):
        raise click.BadParameter(f"{report} cannot be written", param_hint="--reject-report")


@contacts.command("do-not-call")
@click.argument("numbers", nargs=-1, required=True)
@click.option("--reason", default="", help="Why, for the record (e.g. asked on 2026-11-20).")
def do_not_call_command(numbers: tuple[str, ...], reason: str) -> None:
    """Never call NUMBERS again, in any campaign: whole numbers in international form, spaces
    and a trunk (0) allowed. Their waiting contacts leave every queue at once. A number already
    on the list keeps its place (and takes the new --reason, if one is given).

    \b
    Example:
      survey-engine contacts do-not-call "+32 470 12 34 56" +31612345678 \\
          --reason "asked on 2026-11-20"
    """
    engine = open_database()
    with transaction(engine) as session:
        listed = {add_do_not_call(session, number, reason).phone_e164 for number in numbers}
    engine.dispose()
    click.echo(f"{len(listed)} number(s) on the do-not-call list")


@contacts.command("exclude")
@click.argument("agent")
@click.argument("numbers", nargs=-1, required=True)
@click.option("--reason", default="", help="Why, for the record.")
def exclude_command(agent: str, numbers: tuple[str, ...], reason: str) -> None:
    """Never connect AGENT to NUMBERS: whole numbers, or prefixes in international form
    ("+32 471" covers every number starting with +32471; quote a prefix written with spaces).
    Giving an exclusion again is harmless.

    \b
    Example:
      survey-engine contacts exclude BEV-017 "+32 471" +32470123456 --reason "victim's family"
    """
    engine = open_database()
    with transaction(engine) as session:
        found = agent_by_code(session, agent)
        excluded = {add_exclusion(session, found, number, reason).prefix for number in numbers}
    engine.dispose()
    click.echo(f"agent {agent}: {len(excluded)} exclusion(s) in place")
