"""``survey-engine campaigns``: list campaigns, move them through their states, close full
quotas."""

from __future__ import annotations

from collections.abc import Callable

import click
from sqlalchemy import Engine

from dialer.campaigns import campaign_by_code, campaign_overview
from dialer.db import transaction
from dialer.models import Campaign, CampaignState, ContactState
from dialer.quotas import close_full_quota
from survey_engine.cli.common import echo_table
from survey_engine.cli.database import open_database

#: The columns of ``campaigns list``: one count of contacts per contact state.
HEADERS = ("CAMPAIGN", "CLIENT", "STATE", "PRIORITY", "LANGUAGES",
           *(state.value.upper() for state in ContactState))


@click.group()
def campaigns() -> None:
    """Campaigns: what is being dialed, starting and stopping it, closing full quotas.

    \b
    A campaign is draft until started; only running campaigns are dispatched.
      draft   --start-->  running  --pause-->  paused  --resume-->  running
      draft, running or paused  --finish-->  finished (for good)
    """


@campaigns.command("list")
def list_command() -> None:
    """List every campaign with its client, state, priority, languages, and how many of its
    contacts are in each state: waiting to be called, done, set aside by a full quota
    (quota_full), taken out because their number went on the do-not-call list (do_not_call).
    Highest priority first.

    \b
    Example:
      survey-engine campaigns list
    """
    engine = open_database()
    rows = _campaign_rows(engine)
    engine.dispose()
    if not rows:
        click.echo("no campaigns yet: load them with `survey-engine centre load FILE`")
        return
    echo_table(HEADERS, rows)


def _campaign_rows(engine: Engine) -> list[tuple[str, ...]]:
    """One row of text per campaign, highest priority first."""
    with transaction(engine) as session:
        found = campaign_overview(session)
    return [(row.code, row.client, row.state.value, str(row.priority), ", ".join(row.languages),
             *(str(row.contacts[state]) for state in ContactState))
            for row in found]


def _change_state(campaign: str, change: Callable[[Campaign], None]) -> None:
    """Apply ``change`` to ``campaign`` in one transaction and say what it did; a refused change
    (:class:`~dialer.errors.IllegalStateChange`) rolls back and leaves the campaign as it was."""
    engine = open_database()
    with transaction(engine) as session:
        found = campaign_by_code(session, campaign)
        before: CampaignState = found.state
        change(found)
        after: CampaignState = found.state
    engine.dispose()
    click.echo(f"campaign {campaign}: {before.value} -> {after.value}")


@campaigns.command("start")
@click.argument("campaign")
def start_command(campaign: str) -> None:
    """Start dialing CAMPAIGN, a draft: its contacts are dispatched from now on.

    Refused (exit 1) unless the campaign is a draft; a paused campaign is resumed instead.

    \b
    Example:
      survey-engine campaigns start COFFEE-2025
    """
    _change_state(campaign, Campaign.start)


@campaigns.command("pause")
@click.argument("campaign")
def pause_command(campaign: str) -> None:
    """Stop dispatching CAMPAIGN, a running one, until it is resumed.

    Calls in progress go on; nobody is given a contact of the campaign any more. Refused
    (exit 1) unless the campaign is running.

    \b
    Example:
      survey-engine campaigns pause COFFEE-2025
    """
    _change_state(campaign, Campaign.pause)


@campaigns.command("resume")
@click.argument("campaign")
def resume_command(campaign: str) -> None:
    """Dispatch CAMPAIGN, a paused one, again. Refused (exit 1) unless it is paused.

    \b
    Example:
      survey-engine campaigns resume COFFEE-2025
    """
    _change_state(campaign, Campaign.resume)


@campaigns.command("finish")
@click.argument("campaign")
def finish_command(campaign: str) -> None:
    """Close CAMPAIGN for good: nothing of it is dispatched any more, and it cannot be started
    or resumed again. Its contacts are kept. Refused (exit 1) when already finished.

    \b
    Example:
      survey-engine campaigns finish COFFEE-2025
    """
    _change_state(campaign, Campaign.finish)


@campaigns.command("close-quota")
@click.argument("campaign")
@click.argument("quota")
def close_quota_command(campaign: str, quota: str) -> None:
    """Declare QUOTA of CAMPAIGN's questionnaire full and set aside the waiting contacts it
    matches (state quota_full: kept, never called). Contacts imported later are set aside too.

    Only a quota whose `when` reads contact fields (contact.region == "BXL") can be decided
    before the call; one that reads answers is decided during the interview and is refused
    (exit 1). Closing a closed quota again is harmless.

    \b
    Example:
      survey-engine campaigns close-quota REGIONAL-PANEL brussels
    """
    engine = open_database()
    with transaction(engine) as session:
        set_aside = close_full_quota(session, campaign_by_code(session, campaign), quota)
    engine.dispose()
    click.echo(f"campaign {campaign}: quota {quota} closed, {set_aside} waiting contact(s) "
               f"set aside")
