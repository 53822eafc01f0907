"""Factories for dialer tests: a site, agents, a client and a running campaign in few lines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from itertools import count
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from dialer.campaigns import create_campaign, create_client
from dialer.dispatch import Claim, Dispatcher
from dialer.models import Agent, Campaign, LanguageLevel, Site
from dialer.people import TimeRange, create_agent, create_site
from tests.conftest import QUESTIONNAIRES

#: A panel questionnaire with quotas on contact fields (decidable before the call) and on an
#: answer (decided during the interview).
REGIONAL_PANEL = """\
questionnaire: regional-panel
version: 1
title: Regional panel
source_language: nl
languages: [nl]
contact_fields:
  region: {type: text}
  born: {type: date, required: false}
questions:
  - id: age
    type: number
    text: Hoe oud bent u?
quotas:
  - id: brussels
    when: contact.region == "BXL"
    max_completes: 10
  - id: born_before_1970
    when: contact.born < "1970-01-01"
    max_completes: 10
  - id: young
    when: age < 30
    max_completes: 10
"""

_serial = count(1)
#: Every hour of every day: tests that are not about windows use it.
ALWAYS: list[TimeRange] = [(day, dt.time(0, 0), dt.time(23, 59, 59)) for day in range(7)]
WEEKDAYS_9_TO_21: list[TimeRange] = [(day, dt.time(9), dt.time(21)) for day in range(6)]


def site(session: Session, time_zone: str = "Europe/Brussels") -> Site:
    """A prison site with a pay rate."""
    number = next(_serial)
    return create_site(session, f"SITE{number}", f"Site {number}", time_zone,
                       Decimal("0.75"), "EUR")


def agent(session: Session, at: Site, languages: dict[str, LanguageLevel] | Sequence[str],
          shifts: Sequence[TimeRange] = ALWAYS, code: str | None = None) -> Agent:
    """An agent speaking ``languages`` (names alone mean native)."""
    spoken = (languages if isinstance(languages, dict)
              else {language: LanguageLevel.NATIVE for language in languages})
    return create_agent(session, at, code or f"AG{next(_serial):04d}", "nl", spoken,
                        shifts=shifts)


def campaign(session: Session, languages: Sequence[str] = ("nl", "fr", "en", "ru", "tr"),
             countries: Sequence[str] = ("BE", "NL", "FR", "US", "CA"),
             windows: Sequence[TimeRange] = ALWAYS, priority: int = 0,
             max_attempts: int = 6, start: bool = True,
             questionnaire: str = "customer-satisfaction.yaml") -> Campaign:
    """A campaign of a new client over a sample questionnaire, started unless told not to."""
    number = next(_serial)
    client = create_client(session, f"CL{number}", f"Client {number}")
    made = create_campaign(session, client, f"CAMP{number}", f"Campaign {number}",
                           QUESTIONNAIRES / questionnaire, languages=languages,
                           allowed_countries=countries, windows=windows, priority=priority,
                           max_attempts=max_attempts)
    if start:
        made.start()
        session.flush()
    return made


def regional_panel(session: Session, folder: Path) -> Campaign:
    """A started campaign (code RP-1, Dutch, Belgium) over :data:`REGIONAL_PANEL`, written in
    ``folder``."""
    path = folder / "regional-panel.yaml"
    path.write_text(REGIONAL_PANEL, encoding="utf-8")
    made = create_campaign(session, create_client(session, "RP", "Panel"), "RP-1", "Panel",
                           path, languages=["nl"], allowed_countries=["BE"], windows=ALWAYS)
    made.start()
    session.flush()
    return made


class SessionDispatcher(Dispatcher):
    """A dispatcher whose calls run inside a test's rolled-back session (as savepoints) instead
    of transactions of their own, reading the roster anew on every call."""

    def __init__(self, session: Session, lease: dt.timedelta = dt.timedelta(minutes=10)) -> None:
        bind = session.get_bind()
        assert isinstance(bind.engine, Engine)
        super().__init__(bind.engine, lease=lease, roster_ttl=dt.timedelta(0))
        self.session = session

    def next_call(self, agent_id: int, now: dt.datetime | None = None) -> Claim | None:
        with self.session.begin_nested():
            return self._next_call(self.session, agent_id, now or dt.datetime.now(dt.UTC))
