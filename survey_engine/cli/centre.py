"""``survey-engine centre``: sites, agents, clients and campaigns loaded from a centre file."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy.exc import SQLAlchemyError

from dialer.centre_file import CentreFileError, load_centre_file
from dialer.errors import DialerError
from survey_engine.cli.database import open_database


@click.group()
def centre() -> None:
    """The call centre itself: sites, agents, clients and campaigns, from a YAML file."""


@centre.command("load")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True,
              help="Check everything, against the database too, and store nothing.")
def load_command(file: Path, dry_run: bool) -> None:
    """Create the sites, agents, clients and campaigns FILE describes, all or nothing.

    Every problem is printed as FILE:LINE:COLUMN: message (unknown keys, wrong types, bad
    day or time specs, codes written twice, unknown sites or clients, codes already in the
    database, languages the questionnaire does not offer...) and nothing is stored; exit 1.
    Otherwise prints what was loaded; exit 0. The database must be migrated first
    (survey-engine db upgrade). docs/centre-file.md describes every key.

    \b
    Example FILE (samples/centre.yaml is a complete one):
      sites:
        - {code: BEV, name: Gevangenis Beveren, time_zone: Europe/Brussels,
           hourly_pay_rate: "0.75", pay_currency: EUR}
      agents:
        - code: BEV-017                     # pseudonymous, never a name
          site: BEV
          interface_language: nl
          languages: {nl: native, fr: fluent}  # basic, working, fluent, native
          shifts: ["Mon-Fri 08:00-16:00", "Sat 22:00-06:00"]  # site time
          exclusions: ["+32 471"]           # numbers or prefixes never connected
      clients:
        - {code: VELDWERK, name: Veldwerk Research}
      campaigns:
        - code: COFFEE-2025
          client: VELDWERK
          name: Coffee at home 2026
          questionnaire: ../questionnaires/market-study.yaml  # from FILE's folder
          languages: [nl, fr]
          countries: [BE, NL]
          windows: ["Mon-Fri 09:00-21:00", "Sat 10:00-18:00"]  # respondent time
          retry_delays: {busy: 15m, no_answer: 2h, "3.14": 1d}  # names or AAPOR codes
          dialing_mode: preview      # or progressive; optional, as are:
          # max_call_minutes, no_answer_seconds, number_types, max_attempts, priority,
          # minimum_language_level, skip_public_holidays, start (true: dial when loaded)
      do_not_call: ["+32470999999"]

    \b
    Examples:
      survey-engine centre load --dry-run samples/centre.yaml
      survey-engine centre load samples/centre.yaml
    """
    try:
        engine = open_database()
    except (DialerError, SQLAlchemyError) as error:
        message = error.message if isinstance(error, DialerError) else str(error).splitlines()[0]
        click.echo(f"error: {message}", err=True)
        raise SystemExit(1) from None
    try:
        summary = load_centre_file(engine, file, dry_run=dry_run)
    except CentreFileError as error:
        for diagnostic in error.diagnostics:
            click.echo(str(diagnostic), err=True)
        count = len(error.diagnostics)
        click.echo(f"nothing stored: {count} problem{'' if count == 1 else 's'}", err=True)
        raise SystemExit(1) from None
    finally:
        engine.dispose()
    if dry_run:
        click.echo(f"would load {summary} (dry run: nothing stored)")
    else:
        click.echo(f"loaded {summary}")
