"""Opening the configured database for a CLI command, refusing one that is not migrated."""

from __future__ import annotations

from sqlalchemy import Engine

from dialer.config import database_url
from dialer.db import make_engine
from dialer.errors import DialerError
from dialer.schema import current_revision, head_revision


def open_database(*, migrated: bool = True) -> Engine:
    """An engine on the configured database (see ``survey-engine db --help``).

    :raises DialerError: ``not_migrated`` when ``migrated`` and the schema is not the newest.
    """
    engine = make_engine(database_url())
    if migrated:
        current, head = current_revision(engine), head_revision(engine)
        if current != head:
            engine.dispose()
            raise DialerError(
                "not_migrated",
                f"the database at {_shown(engine)} is at revision {current or 'none (empty)'}, "
                f"this program needs {head}: run `survey-engine db upgrade` first")
    return engine


def _shown(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)
