"""The sign-in parts of a centre file: accounts (``users:``), agents' PINs and the sites'
workstation addresses, as pydantic value types and a model for :mod:`dialer.centre_schema`.

Secrets are written in clear (``password:``, ``pin:``; fine for a sample or a first PIN) or
already hashed (``password_hash:``, ``pin_hash:``, as ``survey-engine users hash`` prints);
either way only an argon2id hash is stored. A secret is never echoed in a message.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import PlainValidator, StrictStr
from pydantic_core import PydanticCustomError

from dialer.accounts import check_login, check_network
from dialer.errors import DialerError
from dialer.passwords import check_hash, check_password, check_pin
from survey_engine.questionnaire.schema import Strict


def _refused(error: DialerError) -> PydanticCustomError:
    return PydanticCustomError(error.code, error.message)


def _secret_text(value: Any, what: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        raise PydanticCustomError("unquoted_number", f"write the {what} in quotes, e.g. "
                                  "\"4821\" (unquoted, YAML reads a number and drops leading "
                                  "zeros)")
    if not isinstance(value, str):
        raise PydanticCustomError("string_type", "expected text")
    return value


def _pin(value: Any) -> str:
    try:
        return check_pin(_secret_text(value, "PIN"))
    except DialerError as error:
        raise _refused(error) from None


def _password(value: Any) -> str:
    try:
        return check_password(_secret_text(value, "password"))
    except DialerError as error:
        raise _refused(error) from None


def _hash(value: Any) -> str:
    try:
        return check_hash(_secret_text(value, "hash").strip())
    except DialerError as error:
        raise _refused(error) from None


def _network(value: Any) -> str:
    if not isinstance(value, str):
        raise PydanticCustomError("string_type", "expected an address or a network as text")
    try:
        return check_network(value)
    except DialerError as error:
        raise _refused(error) from None


def _login(value: Any) -> str:
    if not isinstance(value, str):
        raise PydanticCustomError("string_type", "expected text")
    try:
        return check_login(value.strip())
    except DialerError as error:
        raise _refused(error) from None


Pin = Annotated[str, PlainValidator(_pin)]
Password = Annotated[str, PlainValidator(_password)]
SecretHash = Annotated[str, PlainValidator(_hash)]
Network = Annotated[str, PlainValidator(_network)]
Login = Annotated[str, PlainValidator(_login)]


class UserSpec(Strict):
    """An entry of ``users:``: an administrator, a supervisor of a site, or a client's
    person."""

    login: Login
    role: Literal["admin", "supervisor", "client"]
    password: Password | None = None
    password_hash: SecretHash | None = None
    site: StrictStr | None = None
    client: StrictStr | None = None
    interface_language: StrictStr = "en"
