"""The partner API's settings: the ``[api]`` table of ``INSTANCE/config.toml``::

    [api]
    rate_limit = "120 per minute"     # requests per token, over every route of the API
    failure_limit = "20 per minute"   # refused tokens per client address
    rate_limit_storage = "memory://"  # where the counts are kept (see docs/api.md)

Limits are written the way the ``limits`` library reads them: ``"120 per minute"``,
``"10/second;1000/hour"``. ``memory://`` counts in the server process, shared by its waitress
threads; several ``serve`` processes share counts through ``redis://HOST:PORT``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from limits import parse_many

from dialer.errors import DialerError
from survey_engine.web.config import table_settings

#: ``[api]`` key -> (Flask config key, type, default).
SETTINGS: dict[str, tuple[str, type, Any]] = {
    "rate_limit": ("API_RATE_LIMIT", str, "120 per minute"),
    "failure_limit": ("API_FAILURE_LIMIT", str, "20 per minute"),
    "rate_limit_storage": ("API_RATE_LIMIT_STORAGE", str, "memory://"),
}
LIMITS = ("API_RATE_LIMIT", "API_FAILURE_LIMIT")


def api_settings(instance: Path) -> dict[str, Any]:
    """Flask configuration from the defaults and the instance's ``[api]`` table.

    :raises DialerError: ``config`` naming the key that is wrong.
    """
    return table_settings(instance, "api", SETTINGS)


def check_limits(config: dict[str, Any]) -> None:
    """Refuse a limit the ``limits`` library cannot read, naming it.

    :raises DialerError: ``config``.
    """
    names = {key: name for name, (key, _kind, _default) in SETTINGS.items()}
    for key in LIMITS:
        try:
            parse_many(str(config[key]))
        except ValueError:
            raise DialerError("config", f"api.{names[key]}: {config[key]!r} is not a rate "
                                        "limit (write e.g. \"120 per minute\")") from None
