"""``survey-engine dispatch``: ask for an agent's next contact, and see the language backlog."""

from __future__ import annotations

import datetime as dt

import click

from dialer.db import transaction
from dialer.dispatch import Dispatcher
from dialer.people import agent_by_code
from survey_engine.cli.database import open_database

at_option = click.option(
    "--at", "at", type=click.DateTime(formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z"]),
    default=None, help="Dispatch as if it were this instant (ISO 8601 with offset, e.g. "
                       "2026-11-24T02:00+01:00); default: now.")


@click.group()
def dispatch() -> None:
    """Who calls whom: the next contact for an agent, and contacts nobody can take."""


def _instant(at: dt.datetime | None) -> dt.datetime:
    return at.astimezone(dt.UTC) if at is not None else dt.datetime.now(dt.UTC)


@dispatch.command("next")
@click.argument("agent")
@at_option
def next_command(agent: str, at: dt.datetime | None) -> None:
    """Claim AGENT's next contact and show it as the agent would see it (masked number).

    The claim is held for the lease (10 minutes), then returns to the queue by itself.
    Exits 0 with the claim, 3 when there is nobody to call now.
    """
    engine = open_database()
    with transaction(engine) as session:
        agent_id = agent_by_code(session, agent).id
    claim = Dispatcher(engine).next_call(agent_id, _instant(at))
    engine.dispose()
    if claim is None:
        click.echo(f"nobody to call now for agent {agent}")
        raise SystemExit(3)
    click.echo(f"contact {claim.contact_id}  {claim.masked_number}  campaign "
               f"{claim.campaign_code}  language {claim.language}  {claim.phase.name.lower()}  "
               f"held until {claim.lease_until:%Y-%m-%d %H:%M:%S} UTC")


@dispatch.command("backlog")
@at_option
def backlog_command(at: dt.datetime | None) -> None:
    """Count contacts callable now in languages no agent on shift speaks, per language.

    They are never dropped: they wait until an agent who speaks their language is on shift.
    """
    engine = open_database()
    backlog = Dispatcher(engine).backlog(_instant(at))
    engine.dispose()
    if not backlog:
        click.echo("no backlog: every language callable now has an agent on shift")
        return
    for language, waiting in backlog.items():
        click.echo(f"{language}\t{waiting}")
