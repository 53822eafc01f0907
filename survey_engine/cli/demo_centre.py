"""The call-centre part of ``survey-engine demo``: the embedded database with the sample centre
and contacts, and who is given whom, by day and by night.

Two moments of the coming week, on days that are no public holidays: the night when it is
Monday 20:00 in New York (02:00 in Brussels, or 01:00 or 03:00 in the weeks when only one side
has changed its clocks), and the Tuesday afternoon at 14:00 in Brussels. For each, the tour
previews who the agents on shift would be given, all the agents of a moment in one preview
(:meth:`~dialer.dispatch.Dispatcher.preview`), so two agents are never shown the same contact.
A preview is rolled back: nothing is claimed, and apart from loading the samples the first
time, the tour leaves the database as it found it. Running it again shows the same contacts,
though not always in the same order: dispatch tries groups of equal priority in a random order.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from sqlalchemy import Engine, select

from dialer.centre_file import load_centre_file
from dialer.config import database_url
from dialer.db import make_engine, transaction
from dialer.dispatch import Dispatcher
from dialer.importing import import_contacts
from dialer.models import Agent, Campaign
from dialer.schema import upgrade
from dialer.windows import is_public_holiday, local_time
from survey_engine.i18n.paths import PROJECT_ROOT

SAMPLES = PROJECT_ROOT / "samples"
CAMPAIGN = "LUMEN-CSAT-2025"
BRUSSELS = "Europe/Brussels"
NEW_YORK = "America/New_York"
NIGHT_AGENTS = ("BEV-031",)
DAY_AGENTS = ("BEV-017", "BEV-023", "MAR-011")
CLAIMS_SHOWN = 4
TUESDAY = 1


def demo_tuesday(after: dt.datetime) -> dt.date:
    """The first Tuesday after ``after`` (Brussels date) that is not a Belgian public holiday
    and follows a Monday that is not an American one: the tour's night shows New York's Monday
    evening, its afternoon Belgium's Tuesday."""
    day = local_time(after, BRUSSELS).date() + dt.timedelta(days=1)
    while (day.weekday() != TUESDAY or is_public_holiday("BE", day)
           or is_public_holiday("US", day - dt.timedelta(days=1))):
        day += dt.timedelta(days=1)
    return day


def at_local(day: dt.date, time: dt.time, zone: str) -> dt.datetime:
    """``day`` at ``time`` in ``zone``, as a UTC instant."""
    return dt.datetime.combine(day, time, ZoneInfo(zone)).astimezone(dt.UTC)


def demo_moments(after: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The tour's night (Monday 20:00 in New York) and afternoon (Tuesday 14:00 in Brussels)."""
    tuesday = demo_tuesday(after)
    return (at_local(tuesday - dt.timedelta(days=1), dt.time(20), NEW_YORK),
            at_local(tuesday, dt.time(14), BRUSSELS))


def tour_call_centre() -> dt.datetime:
    """Print the call-centre tour (see the module docstring); the afternoon it showed."""
    engine = make_engine(database_url())
    upgrade(engine)
    click.secho(f"\n== The call centre, in {engine.url.render_as_string(hide_password=True)}",
                bold=True)
    load_samples(engine)
    dispatcher = Dispatcher(engine)
    night, afternoon = demo_moments(dt.datetime.now(dt.UTC))
    for instant, agents in ((night, NIGHT_AGENTS), (afternoon, DAY_AGENTS)):
        local = local_time(instant, BRUSSELS)
        click.echo(f"  {local:%A %d %B %Y, %H:%M} in Brussels "
                   f"({local_time(instant, NEW_YORK):%A %H:%M} in New York):")
        _show_preview(engine, dispatcher, agents, instant)
        backlog = dispatcher.backlog(instant)
        waiting = ", ".join(f"{language}: {count}" for language, count in backlog.items())
        click.echo(f"    callable then but no agent on shift speaks their language: "
                   f"{waiting or 'none'}")
    engine.dispose()
    return afternoon


def load_samples(engine: Engine) -> None:
    """Load the sample centre and its contacts, unless they are loaded already."""
    with transaction(engine) as session:
        loaded = session.scalar(select(Campaign.id).where(Campaign.code == CAMPAIGN))
    if loaded is not None:
        click.echo(f"  samples/centre.yaml and its contacts are loaded already ({CAMPAIGN})")
        return
    summary = load_centre_file(engine, SAMPLES / "centre.yaml")
    click.echo(f"  loaded samples/centre.yaml: {summary}")
    report = import_contacts(engine, CAMPAIGN, SAMPLES / "lumen-contacts.csv")
    click.echo(f"  imported {report.imported} contacts into {CAMPAIGN} from "
               f"samples/lumen-contacts.csv")


def _show_preview(engine: Engine, dispatcher: Dispatcher, codes: tuple[str, ...],
                  instant: dt.datetime) -> None:
    with transaction(engine) as session:
        agents = {agent.code: agent for agent in session.scalars(
            select(Agent).where(Agent.code.in_(codes)))}
        spoken = {code: ", ".join(sorted(language.language for language in agent.languages))
                  for code, agent in agents.items()}
    shown = dispatcher.preview([agents[code].id for code in codes], instant,
                               per_agent=CLAIMS_SHOWN)
    for code in codes:
        given = "; ".join(f"{claim.masked_number} ({claim.language})"
                          for claim in shown[agents[code].id])
        click.echo(f"    {code} (speaks {spoken[code]}) is given: {given or 'nobody'}")


def demo_files() -> list[Path]:
    """The sample files the tour loads, for the tests."""
    return [SAMPLES / "centre.yaml", SAMPLES / "lumen-contacts.csv"]
