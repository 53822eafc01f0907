"""The call-centre part of ``survey-engine demo``: the embedded database with the sample centre
and contacts, and who is given whom, by day and by night.

The tour claims contacts at fixed instants and gives every claim back, so running it again
shows the same thing and leaves the database as it found it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from sqlalchemy import Engine, select

from dialer.centre_file import load_centre_file
from dialer.config import database_url
from dialer.db import make_engine, transaction
from dialer.dispatch import Claim, Dispatcher
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
        for code in agents:
            _show_claims(engine, dispatcher, code, instant)
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


def _show_claims(engine: Engine, dispatcher: Dispatcher, code: str, instant: dt.datetime
                 ) -> None:
    with transaction(engine) as session:
        agent = session.scalars(select(Agent).where(Agent.code == code)).one()
        agent_id = agent.id
        spoken = ", ".join(sorted(language.language for language in agent.languages))
    claims: list[Claim] = []
    while len(claims) < CLAIMS_SHOWN and (claim := dispatcher.next_call(agent_id, instant)):
        claims.append(claim)
    for claim in claims:
        dispatcher.release(claim, instant)
    shown = "; ".join(f"{claim.masked_number} ({claim.language})" for claim in claims)
    click.echo(f"    {code} (speaks {spoken}) is given: {shown or 'nobody'}")


def demo_files() -> list[Path]:
    """The sample files the tour loads, for the tests."""
    return [SAMPLES / "centre.yaml", SAMPLES / "lumen-contacts.csv"]
