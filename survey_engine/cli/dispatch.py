"""``survey-engine dispatch``: ask for an agent's next contact (or preview who they would be
given at another instant), and see the language backlog."""

from __future__ import annotations

import datetime as dt

import click

from dialer.db import transaction
from dialer.dispatch import Claim, Dispatcher
from dialer.people import agent_by_code
from survey_engine.cli.database import open_database


class Instant(click.ParamType[dt.datetime]):
    """An ISO 8601 instant with its UTC offset (``2026-11-24T02:00+01:00``, ``...Z``): local
    times alone are ambiguous across time zones and daylight-saving changes."""

    name = "instant"

    def convert(self, value: object, param: click.Parameter | None,
                ctx: click.Context | None) -> dt.datetime:
        if isinstance(value, dt.datetime):
            return value
        text = str(value).strip()
        try:
            instant = dt.datetime.fromisoformat(text.replace(" ", "T", 1))
        except ValueError:
            self.fail(f"{text!r} is not an ISO 8601 instant such as 2026-11-24T02:00+01:00",
                      param, ctx)
        if instant.tzinfo is None:
            self.fail(f"{text!r} has no UTC offset: write it as {text}+01:00 (Brussels in "
                      f"winter) or {text}Z (UTC)", param, ctx)
        return instant


INSTANT = Instant()


@click.group()
def dispatch() -> None:
    """Who calls whom: the next contact for an agent, and contacts nobody can take."""


def _instant(at: dt.datetime | None) -> dt.datetime:
    return at.astimezone(dt.UTC) if at is not None else dt.datetime.now(dt.UTC)


def _shown(instant: dt.datetime) -> str:
    return f"{instant:%Y-%m-%d %H:%M:%S} UTC"


def _described(claim: Claim) -> str:
    return (f"contact {claim.contact_id}  {claim.masked_number}  campaign "
            f"{claim.campaign_code}  language {claim.language}  {claim.phase.name.lower()}")


@dispatch.command("next")
@click.argument("agent")
@click.option("--at", "at", type=INSTANT, default=None, metavar="INSTANT",
              help="Only preview who AGENT would be given at this instant (ISO 8601 with "
                   "offset, e.g. 2026-11-24T02:00+01:00); nothing is claimed.")
@click.option("--count", type=click.IntRange(min=1), default=None,
              help="With --at: show up to this many contacts, in the order AGENT would be "
                   "given them (default 1).")
def next_command(agent: str, at: dt.datetime | None, count: int | None) -> None:
    """Claim AGENT's next contact now and show it as the agent would see it (masked number).

    The claim is held for the lease (10 minutes), then returns to the queue by itself.
    With --at, only a preview: who AGENT would be given at that instant, claimed and rolled
    back at once, so nothing is held and nobody else is kept from calling.

    Exits 0 with a contact, 3 when there is nobody to call (or, in a preview, when AGENT is off
    shift at that instant), 1 when AGENT is unknown or, for a real claim, off shift now.

    \b
    Examples:
      survey-engine dispatch next BEV-031
      survey-engine dispatch next BEV-031 --at 2026-11-24T02:00+01:00 --count 3
    """
    if count is not None and at is None:
        raise click.UsageError("--count needs --at: only a preview shows several contacts")
    engine = open_database()
    dispatcher = Dispatcher(engine)
    instant = _instant(at)
    with transaction(engine) as session:
        agent_id = agent_by_code(session, agent).id
        # The roster dispatch reads anyway (it is cached for the claim or preview below).
        profile = dispatcher.roster(session, instant).agents.get(agent_id)
    if at is None:
        claim = dispatcher.next_call(agent_id, instant)
        engine.dispose()
        if claim is None:
            click.echo(f"nobody to call now for agent {agent}")
            raise SystemExit(3)
        click.echo(f"{_described(claim)}  held until {_shown(claim.lease_until)}")
        return
    # An inactive agent has no profile: preview refuses it as unknown (exit 1).
    off_shift = profile is not None and not profile.on_shift(instant)
    claims = [] if off_shift else \
        dispatcher.preview([agent_id], instant, per_agent=count or 1)[agent_id]
    engine.dispose()
    if off_shift:
        click.echo(f"agent {agent} is off shift at {_shown(instant)}")
        raise SystemExit(3)
    if not claims:
        click.echo(f"nobody to call at {_shown(instant)} for agent {agent}")
        raise SystemExit(3)
    for claim in claims:
        click.echo(f"{_described(claim)}  (preview at {_shown(instant)}: nothing claimed)")


@dispatch.command("backlog")
@click.option("--at", "at", type=INSTANT, default=None, metavar="INSTANT",
              help="Count as if it were this instant (ISO 8601 with offset, e.g. "
                   "2026-11-24T12:00+01:00); default: now.")
def backlog_command(at: dt.datetime | None) -> None:
    """Count contacts callable now in languages no agent on shift speaks, per language.

    They are never dropped: they wait until an agent who speaks their language is on shift.

    \b
    Example:
      survey-engine dispatch backlog --at 2026-11-24T12:00+01:00
    """
    engine = open_database()
    backlog = Dispatcher(engine).backlog(_instant(at))
    engine.dispose()
    if not backlog:
        click.echo("no backlog: every language callable at that instant has an agent on shift")
        return
    for language, waiting in backlog.items():
        click.echo(f"{language}\t{waiting}")
