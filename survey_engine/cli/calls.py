"""``survey-engine calls``: what supervisors check about calls: dials the dialer refused and
calls in progress."""

from __future__ import annotations

import datetime as dt

import click

from dialer.call_reports import live_calls, refused_dials
from dialer.campaigns import campaign_by_code
from dialer.db import transaction
from survey_engine.cli.common import echo_table
from survey_engine.cli.database import open_database


@click.group()
def calls() -> None:
    """Calls: refused dials and calls in progress.

    \b
    The dialer places a call by attempt id and checks the number again at that moment
    (campaign list, do-not-call list, the agent's exclusions, allowed countries and number
    types, the respondent's calling window). A dial it refuses is traced as `dial_refused`
    and listed by `calls refused`.
    """


@calls.command("refused")
@click.option("--campaign", "campaign_code", metavar="CODE", help="Only this campaign.")
@click.option("--hours", type=click.FloatRange(min=0, min_open=True), default=24.0,
              show_default=True, help="How far back to look.")
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True)
def refused_command(campaign_code: str | None, hours: float, limit: int) -> None:
    """List the dials the dialer refused, newest first, with the reason (never the number).

    \b
    Examples:
      survey-engine calls refused
      survey-engine calls refused --campaign LUMEN-CSAT-2025 --hours 2
    """
    engine = open_database()
    since = dt.datetime.now(dt.UTC) - dt.timedelta(hours=hours)
    with transaction(engine) as session:
        campaign_id = campaign_by_code(session, campaign_code).id if campaign_code else None
        found = refused_dials(session, since=since, campaign_id=campaign_id, limit=limit)
    engine.dispose()
    if not found:
        click.echo(f"no refused dials in the last {hours:g} hours")
        return
    echo_table(("TIME (UTC)", "CAMPAIGN", "ATTEMPT", "AGENT", "REASON"),
               [(dial.at.strftime("%Y-%m-%d %H:%M:%S"), dial.campaign_code,
                 str(dial.attempt_id), dial.agent_code, dial.reason) for dial in found])


@calls.command("live")
def live_command() -> None:
    """List the calls in progress: campaign, agent and how long since they were connected.

    \b
    Example:
      survey-engine calls live
    """
    engine = open_database()
    now = dt.datetime.now(dt.UTC)
    with transaction(engine) as session:
        found = live_calls(session)
    engine.dispose()
    if not found:
        click.echo("no calls in progress")
        return
    echo_table(("ATTEMPT", "CAMPAIGN", "AGENT", "CONNECTED FOR"),
               [(str(call.attempt_id), call.campaign_code, call.agent_code,
                 str(now - call.connected_at).split(".")[0]) for call in found])
