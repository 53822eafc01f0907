"""Where the database lives: a URL from the environment, the instance configuration, or the
embedded SQLite default.

Order: ``SURVEY_ENGINE_DATABASE_URL`` in the environment, then ``database_url`` in
``INSTANCE/config.toml``, then ``sqlite:///INSTANCE/survey-engine.sqlite3``. The instance folder is
``SURVEY_ENGINE_INSTANCE`` or ``./instance``.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from dialer.errors import DialerError

DATABASE_URL_VARIABLE = "SURVEY_ENGINE_DATABASE_URL"
INSTANCE_VARIABLE = "SURVEY_ENGINE_INSTANCE"
CONFIG_FILE = "config.toml"
SQLITE_FILE = "survey-engine.sqlite3"


def instance_dir() -> Path:
    """The instance folder: configuration and the embedded database live there."""
    return Path(os.environ.get(INSTANCE_VARIABLE) or "instance").resolve()


def database_url(instance: Path | None = None) -> str:
    """The database URL to use, by the order in the module docstring.

    :raises DialerError: ``config`` if config.toml cannot be read or its value is not text.
    """
    from_environment = os.environ.get(DATABASE_URL_VARIABLE)
    if from_environment:
        return from_environment
    folder = instance or instance_dir()
    config_path = folder / CONFIG_FILE
    if config_path.is_file():
        try:
            config = tomllib.loads(config_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            raise DialerError("config", f"{config_path}: {error}") from None
        value = config.get("database_url")
        if value is not None:
            if not isinstance(value, str) or not value:
                raise DialerError("config", f"{config_path}: database_url must be a URL text")
            return value
    return f"sqlite:///{folder / SQLITE_FILE}"
