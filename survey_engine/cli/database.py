"""Opening the configured database for a CLI command: one clear line when it cannot be reached
or is not migrated, never a traceback."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.exc import ArgumentError, DBAPIError

from dialer.config import database_url
from dialer.db import make_engine
from dialer.errors import DialerError
from dialer.schema import current_revision, head_revision


def open_database(*, migrated: bool = True) -> Engine:
    """An engine on the configured database (see ``survey-engine db --help``), checked to
    answer.

    :raises DialerError: ``database_url`` (not a database URL), ``database_unreachable``, or
        ``not_migrated`` when ``migrated`` and the schema is not the newest.
    """
    url = database_url()
    try:
        engine = make_engine(url)
    except (ArgumentError, ValueError) as error:
        raise DialerError("database_url", f"{url!r} is not a database URL: {error}") from None
    try:
        current = current_revision(engine)
    except DBAPIError as error:
        engine.dispose()
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        raise DialerError("database_unreachable",
                          f"cannot open the database at {_shown(engine)}: {reason}") from None
    if migrated:
        head = head_revision(engine)
        if current != head:
            engine.dispose()
            raise DialerError(
                "not_migrated",
                f"the database at {_shown(engine)} is at revision {current or 'none (empty)'}, "
                f"this program needs {head}: run `survey-engine db upgrade` first")
    return engine


def _shown(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)
