"""What the web application composes: one database engine and the dialer's desks, made once
per application and shared by its requests (each desk method is one transaction)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import Engine

from dialer.calls import CallDesk
from dialer.db import make_engine, writer
from dialer.dispatch import Dispatcher
from dialer.interviews import InterviewDesk
from dialer.telephony.base import TelephonyBackend
from dialer.worker import DialingService

EXTENSION = "survey_engine"


@dataclass
class Services:
    """The database and the desks the views call."""

    engine: Engine
    dispatcher: Dispatcher
    desk: CallDesk
    interviews: InterviewDesk
    dialing: DialingService

    @property
    def writer(self) -> Engine:
        """The engine for work that reads then writes (SQLite's write lock taken up front)."""
        return writer(self.engine)


def build_services(database_url: str, backend: TelephonyBackend) -> Services:
    """Open the database and make the desks on ``backend``."""
    engine = make_engine(database_url)
    dispatcher = Dispatcher(engine)
    desk = CallDesk(engine, backend)
    return Services(engine, dispatcher, desk, InterviewDesk(engine),
                    DialingService(engine, backend, dispatcher=dispatcher, desk=desk))


def services() -> Services:
    """The services of the application handling the current request."""
    found: Services = current_app.extensions[EXTENSION]
    return found
