"""Telephony backends by name: the ``survey_engine.telephony`` entry points and the instance's pick.

A backend is a :class:`~dialer.telephony.base.TelephonyBackend` subclass registered by any
installed distribution, e.g. in setup.cfg::

    [options.entry_points]
    survey_engine.telephony =
        sim = dialer.telephony.sim:SimBackend

The instance chooses one in the ``[telephony]`` table of ``INSTANCE/config.toml`` and gives its
options in ``[telephony.<name>]``::

    [telephony]
    backend = "sim"

    [telephony.sim]
    seed = 7
    rates = { busy = 0.1 }
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any

from dialer.config import CONFIG_FILE, instance_dir
from dialer.errors import DialerError
from dialer.telephony.base import TelephonyBackend

GROUP = "survey_engine.telephony"
DEFAULT_BACKEND = "sim"


def _registered() -> dict[str, EntryPoint]:
    """The entry points of the group by name; one name pointing two ways is refused."""
    found: dict[str, EntryPoint] = {}
    for point in entry_points(group=GROUP):
        known = found.setdefault(point.name, point)
        if known.value != point.value:
            raise DialerError("backend_ambiguous",
                              f"telephony backend {point.name!r} is registered twice: "
                              f"{known.value} and {point.value}")
    return found


def available_backends() -> list[str]:
    """The names of the installed telephony backends, sorted."""
    return sorted(_registered())


def load_backend(name: str, options: Mapping[str, Any]) -> TelephonyBackend:
    """Build the backend registered as ``name`` from its options.

    :raises DialerError: ``unknown_backend`` listing the available names; ``backend_broken`` if
        the entry point does not load a backend class; ``backend_options`` naming a bad option.
    """
    registered = _registered()
    point = registered.get(name)
    if point is None:
        raise DialerError("unknown_backend", f"unknown telephony backend {name!r}; available: "
                                             f"{', '.join(sorted(registered)) or 'none'}")
    try:
        backend_class = point.load()
    except (ImportError, AttributeError) as error:
        raise DialerError("backend_broken",
                          f"telephony backend {name!r} ({point.value}) cannot load: {error}"
                          ) from None
    if not (isinstance(backend_class, type) and issubclass(backend_class, TelephonyBackend)):
        raise DialerError("backend_broken", f"telephony backend {name!r} ({point.value}) is "
                                            f"not a TelephonyBackend class")
    if not isinstance(options, Mapping):
        raise DialerError("backend_options", f"the options of telephony backend {name!r} "
                                             f"must be a table")
    return backend_class.from_options(options)


def telephony_settings(instance: Path | None = None) -> tuple[str, dict[str, Any]]:
    """The backend name and its options table from ``INSTANCE/config.toml``.

    Without the file or its ``[telephony]`` table the backend is ``sim`` with no options. Tables
    for other backends may stay in the file; other unknown keys are refused.

    :raises DialerError: ``config`` naming the file and the key that is wrong.
    """
    path = (instance or instance_dir()) / CONFIG_FILE
    if not path.is_file():
        return DEFAULT_BACKEND, {}
    try:
        config = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise DialerError("config", f"{path}: {error}") from None
    table = config.get("telephony", {})
    if not isinstance(table, dict):
        raise DialerError("config", f"{path}: telephony must be a table")
    name = table.get("backend", DEFAULT_BACKEND)
    if not isinstance(name, str) or not name:
        raise DialerError("config", f"{path}: telephony.backend must be a backend name")
    for key, value in table.items():
        if key != "backend" and not isinstance(value, dict):
            raise DialerError("config", f"{path}: unknown key telephony.{key}; the table holds "
                                        f"backend and one [telephony.<name>] table per backend")
    options: dict[str, Any] = table.get(name, {})
    return name, options


def configured_backend(instance: Path | None = None) -> TelephonyBackend:
    """The backend the instance configuration picks, built from its options.

    :raises DialerError: ``config`` as :func:`telephony_settings`; the codes of
        :func:`load_backend`, with the configuration file named in the message.
    """
    name, options = telephony_settings(instance)
    try:
        return load_backend(name, options)
    except DialerError as error:
        path = (instance or instance_dir()) / CONFIG_FILE
        raise DialerError(error.code, f"{path}: [telephony.{name}] {error.message}") from None
