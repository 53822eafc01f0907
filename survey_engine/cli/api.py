"""``survey-engine api``: the partner API's tokens (issue, list, revoke)."""

from __future__ import annotations

import datetime as dt

import click

from dialer.db import transaction, writer
from dialer.models import PartnerToken, utc_now
from results.partner_tokens import (
    DEFAULT_DAYS,
    MAX_DAYS,
    issue_token,
    list_tokens,
    revoke_token,
    token_state,
)
from survey_engine.cli.common import echo_table, operator
from survey_engine.cli.database import open_database


@click.group()
def api() -> None:
    """The partner API (served by `survey-engine serve` under /api/v1; docs/api.md).

    Partners authenticate with a bearer token scoped to campaigns. Tokens are issued and
    revoked here by the centre's administrators; each is shown once, when issued, and stored
    only as its SHA-256. Limits are set in the [api] table of INSTANCE/config.toml.

    \b
    Examples:
      survey-engine api token create "So Services nightly pull" --campaign LUMEN-CSAT-2025
      survey-engine api token list
      survey-engine api token revoke k7q2mx4ab3
      curl -H "Authorization: Bearer $TOKEN" \\
          http://127.0.0.1:8080/api/v1/campaigns/LUMEN-CSAT-2025/interviews?after=0
    """


@api.group()
def token() -> None:
    """Issue, list and revoke partner API tokens.

    \b
    Examples:
      survey-engine api token create "So Services nightly pull" --campaign LUMEN-CSAT-2025
      survey-engine api token create "Coffee dashboard" --campaign COFFEE-2025 \\
          --campaign COFFEE-2026 --days 90
      survey-engine api token list
      survey-engine api token revoke k7q2mx4ab3
    """


@token.command("create")
@click.argument("name")
@click.option("--campaign", "campaigns", multiple=True, required=True, metavar="CODE",
              help="A campaign the token may read; repeat for several.")
@click.option("--days", default=DEFAULT_DAYS, show_default=True,
              type=click.IntRange(1, MAX_DAYS), help="How many days the token is valid.")
@click.option("--by", "by", default=None, help="Who issues it (default: cli:USER).")
def create_command(name: str, campaigns: tuple[str, ...], days: int, by: str | None) -> None:
    """Issue a token named NAME for the given campaigns and print it, once.

    Copy the token into the partner's secret store now: it cannot be shown again (only its
    SHA-256 is kept). The partner sends it as `Authorization: Bearer TOKEN`.

    \b
    Examples:
      survey-engine api token create "So Services nightly pull" --campaign LUMEN-CSAT-2025
      survey-engine api token create "Coffee dashboard" --campaign COFFEE-2025 --days 90
    """
    engine = open_database()
    try:
        with transaction(writer(engine)) as session:
            issued = issue_token(session, name, campaigns, by or operator(), utc_now(), days)
            key, expires = issued.token.key, issued.token.expires_at
    finally:
        engine.dispose()
    click.echo(f"token {key} for {', '.join(sorted(set(campaigns)))}, valid until "
               f"{_when(expires)}:")
    click.echo(issued.text)
    click.secho("Copy it now: it is shown only this once.", fg="yellow", err=True)


@token.command("list")
def list_command() -> None:
    """List every token: key, name, campaigns, issuer, dates and state (never the secret).

    \b
    Example:
      survey-engine api token list
    """
    engine = open_database()
    now = utc_now()
    try:
        with transaction(engine) as session:
            rows = [_row(found, now) for found in list_tokens(session)]
    finally:
        engine.dispose()
    if not rows:
        click.echo("no tokens")
        return
    echo_table(("key", "name", "campaigns", "created", "by", "expires", "last used", "state"),
               rows)


def _row(found: PartnerToken, now: dt.datetime) -> tuple[str, ...]:
    return (found.key, found.name, ",".join(c.code for c in found.campaigns),
            _when(found.created_at), found.created_by, _when(found.expires_at),
            _when(found.last_used_at), token_state(found, now))


def _when(moment: dt.datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment is not None else "-"


@token.command("revoke")
@click.argument("key")
@click.option("--by", "by", default=None, help="Who revokes it (default: cli:USER).")
def revoke_command(key: str, by: str | None) -> None:
    """Revoke the token KEY (as `token list` shows it): it is refused from the next request.

    \b
    Example:
      survey-engine api token revoke k7q2mx4ab3
    """
    engine = open_database()
    try:
        with transaction(writer(engine)) as session:
            revoked = revoke_token(session, key, by or operator(), utc_now())
            name = revoked.name
    finally:
        engine.dispose()
    click.echo(f"token {key} ({name}) revoked")
