"""``survey-engine users``: what a centre file's sign-ins need."""

from __future__ import annotations

import click

from dialer.errors import DialerError
from dialer.passwords import check_password, check_pin, hash_secret


@click.group()
def users() -> None:
    """Sign-ins of the web application (written in the centre file's users: and pin:)."""


@users.command("hash")
@click.option("--pin", "is_pin", is_flag=True, help="Hash an agent's PIN (4 to 12 digits).")
def hash_command(is_pin: bool) -> None:
    """Print the argon2id hash of a password (or PIN) typed twice, for password_hash: (or
    pin_hash:) in a centre file, so the file holds no secret in clear.

    \b
    Examples:
      survey-engine users hash
      survey-engine users hash --pin
    """
    secret = click.prompt("PIN" if is_pin else "Password", hide_input=True,
                          confirmation_prompt=True)
    try:
        checked = check_pin(secret) if is_pin else check_password(secret)
    except DialerError as error:
        raise click.BadParameter(error.message) from None
    click.echo(hash_secret(checked))
