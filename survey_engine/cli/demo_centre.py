"""The call-centre part of ``survey-engine demo``: the embedded database with the sample centre
and contacts, and who is given whom, by day and by night.

At fixed instants, the tour previews who the agents on shift would be given: all the agents of
a moment in one preview (:meth:`~dialer.dispatch.Dispatcher.preview`), so two agents are never
shown the same contact. A preview is rolled back: nothing is claimed, and apart from loading
the samples the first time, the tour leaves the database as it found it. Running it again shows
the same contacts, though not always in the same order: dispatch tries groups of equal
priority in a random order.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from sqlalchemy import Engine, select

from dialer.centre_file import load_centre_file
from dialer.config import database_url
from dialer.db import make_engine, transaction
from dialer.dispatch import Dispatcher
from dialer.importing import import_contacts
from dialer.models import Agent, Campaign
from dialer.schema import upgrade
from dialer.windows import local_time
from survey_engine.i18n.paths import PROJECT_ROOT

SAMPLES = PROJECT_ROOT / "samples"
CAMPAIGN = "LUMEN-CSAT-2025"
BRUSSELS = "Europe/Brussels"
#: (instant, agents asked for their next contacts); a Monday night and the Tuesday after.
MOMENTS = (
    (dt.datetime(2026, 11, 24, 1, 0, tzinfo=dt.UTC), ("BEV-031",)),
    (dt.datetime(2026, 11, 24, 13, 0, tzinfo=dt.UTC), ("BEV-017", "BEV-023", "MAR-011")),
)
CLAIMS_SHOWN = 4


def tour_call_centre() -> None:
    """Print the call-centre tour (see the module docstring)."""
    engine = make_engine(database_url())
    upgrade(engine)
    click.secho(f"\n== The call centre, in {engine.url.render_as_string(hide_password=True)}",
                bold=True)
    _load_samples(engine)
    dispatcher = Dispatcher(engine)
    for instant, agents in MOMENTS:
        local = local_time(instant, BRUSSELS)
        click.echo(f"  {local:%A %d %B %Y, %H:%M} in Brussels:")
        _show_preview(engine, dispatcher, agents, instant)
        backlog = dispatcher.backlog(instant)
        waiting = ", ".join(f"{language}: {count}" for language, count in backlog.items())
        click.echo(f"    callable now but no agent on shift speaks their language: "
                   f"{waiting or 'none'}")
    engine.dispose()


def _load_samples(engine: Engine) -> None:
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
