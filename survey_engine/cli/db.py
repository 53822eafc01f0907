"""``survey-engine db``: create or migrate the database, and tell where it is."""

from __future__ import annotations

import click

from dialer.schema import current_revision, head_revision, upgrade
from survey_engine.cli.database import open_database


@click.group()
def db() -> None:
    """The database: SQLite in the instance folder unless told otherwise.

    \b
    Where it is, first found wins:
      1. $SURVEY_ENGINE_DATABASE_URL, e.g. postgresql://user@host:5432/survey
      2. database_url = "..." in INSTANCE/config.toml
      3. sqlite:///INSTANCE/survey-engine.sqlite3
    INSTANCE is $SURVEY_ENGINE_INSTANCE, or ./instance.
    """


@db.command("upgrade")
def upgrade_command() -> None:
    """Create the database or bring it to the newest schema (safe to run again).

    \b
    Example:
      SURVEY_ENGINE_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test \\
          survey-engine db upgrade
    """
    engine = open_database(migrated=False)
    before = current_revision(engine)
    upgrade(engine)
    after = current_revision(engine)
    where = engine.url.render_as_string(hide_password=True)
    engine.dispose()
    if before == after:
        click.echo(f"{where} is already at revision {after}")
    else:
        click.echo(f"{where}: {before or 'empty'} -> {after}")


@db.command("status")
def status_command() -> None:
    """Print which database is used and whether it is up to date; exit 1 if it is not.

    \b
    Example:
      SURVEY_ENGINE_INSTANCE=/srv/centre survey-engine db status
    """
    engine = open_database(migrated=False)
    current, head = current_revision(engine), head_revision(engine)
    click.echo(f"database: {engine.url.render_as_string(hide_password=True)}")
    click.echo(f"revision: {current or 'none (empty)'} (newest: {head})")
    engine.dispose()
    if current != head:
        click.echo("run `survey-engine db upgrade`", err=True)
        raise SystemExit(1)

