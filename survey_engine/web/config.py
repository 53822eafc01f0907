"""The web application's settings: defaults, the ``[web]`` table of ``INSTANCE/config.toml``,
then what :func:`survey_engine.web.create_app` is given, later ones winning.

``[web]`` keys (all optional)::

    [web]
    secure_cookies = true      # false only for plain http on loopback (the demo); warned
    idle_minutes = 15          # a session unused this long ends
    absolute_hours = 12        # a session ends this long after sign-in, whatever happens
    proxy_hops = 0             # reverse proxies in front that set X-Forwarded-For
    max_account_failures = 5   # failed sign-ins per account ...
    max_address_failures = 20  # ... and per address, within failure_window_minutes,
    failure_window_minutes = 15  # before sign-in is refused for that long
    max_contacts_upload_mb = 8 # the largest contact file the client portal imports

The secret key signing cookies comes from ``SURVEY_ENGINE_SECRET_KEY`` or the file
``INSTANCE/web-secret.key``, made on first use (readable by its owner only).
"""

from __future__ import annotations

import os
import secrets
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dialer.config import CONFIG_FILE, database_url, instance_dir
from dialer.errors import DialerError

SECRET_VARIABLE = "SURVEY_ENGINE_SECRET_KEY"
SECRET_FILE = "web-secret.key"
#: ``[web]`` key -> (Flask config key, type, default).
SETTINGS: dict[str, tuple[str, type, Any]] = {
    "secure_cookies": ("SECURE_COOKIES", bool, True),
    "idle_minutes": ("SESSION_IDLE_MINUTES", int, 15),
    "absolute_hours": ("SESSION_ABSOLUTE_HOURS", int, 12),
    "proxy_hops": ("PROXY_HOPS", int, 0),
    "max_account_failures": ("LOGIN_MAX_ACCOUNT_FAILURES", int, 5),
    "max_address_failures": ("LOGIN_MAX_ADDRESS_FAILURES", int, 20),
    "failure_window_minutes": ("LOGIN_FAILURE_WINDOW_MINUTES", int, 15),
    "max_contacts_upload_mb": ("MAX_CONTACTS_UPLOAD_MB", int, 8),
}


def web_settings(instance: Path | None = None) -> dict[str, Any]:
    """Flask configuration from the defaults and the instance's ``[web]`` table.

    :raises DialerError: ``config`` naming the file and the key that is wrong.
    """
    folder = instance or instance_dir()
    values = table_settings(folder, "web", SETTINGS)
    values["SURVEY_DATABASE_URL"] = database_url(folder)
    values["SURVEY_INSTANCE"] = str(folder)
    return values


def table_settings(folder: Path, table_name: str,
                   settings: Mapping[str, tuple[str, type, Any]]) -> dict[str, Any]:
    """Flask configuration from ``settings`` (key -> Flask key, type, default) and the table
    ``table_name`` of ``folder``'s config.toml. Whole numbers may not be negative.

    :raises DialerError: ``config`` naming the file and the key that is wrong.
    """
    values = {key: default for key, _kind, default in settings.values()}
    path = folder / CONFIG_FILE
    table: Mapping[str, Any] = {}
    if path.is_file():
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8")).get(table_name, {})
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            raise DialerError("config", f"{path}: {error}") from None
        if not isinstance(table, Mapping):
            raise DialerError("config", f"{path}: {table_name} must be a table")
    for name, value in table.items():
        if name not in settings:
            raise DialerError("config", f"{path}: unknown key {table_name}.{name}; known: "
                                        f"{', '.join(settings)}")
        key, kind, _default = settings[name]
        if type(value) is not kind or (isinstance(value, int) and value < 0):
            raise DialerError("config", f"{path}: {table_name}.{name} must be "
                                        f"{_KIND_WORDS.get(kind, 'a whole number')}")
        values[key] = value
    return values


_KIND_WORDS = {bool: "true or false", str: "a string"}


def secret_key(instance: Path | None = None) -> str:
    """The key that signs session cookies (module docstring)."""
    given = os.environ.get(SECRET_VARIABLE)
    if given:
        return given
    path = (instance or instance_dir()) / SECRET_FILE
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text(encoding="ascii").strip()
