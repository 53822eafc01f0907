"""Operations on sites and agents: create them checked, find an agent by code.

Every function flushes and never commits; the caller's transaction decides (STYLE 4).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from babel.numbers import list_currencies
from sqlalchemy import select
from sqlalchemy.orm import Session

from dialer.contact_rules import ContactRefused, known_time_zone
from dialer.errors import DialerError, NotFound
from dialer.models import Agent, AgentLanguage, AgentSkill, LanguageLevel, Shift, Site
from dialer.windows import WeeklyShift, WindowError

#: A weekly time range as given by callers: (weekday 0 = Monday, start, end).
TimeRange = tuple[int, dt.time, dt.time]


def check_time_zone(time_zone: str) -> str:
    """``time_zone`` if it is an IANA zone name, exactly. :raises DialerError: ``time_zone``."""
    try:
        if known_time_zone(time_zone) == time_zone:
            return time_zone
    except ContactRefused:
        pass
    raise DialerError("time_zone", f"unknown time zone {time_zone!r} (an IANA name such "
                                   f"as Europe/Brussels)")


def create_site(session: Session, code: str, name: str, time_zone: str,
                hourly_pay_rate: Decimal, pay_currency: str) -> Site:
    """A new site. :raises DialerError: ``time_zone``, ``pay_rate`` or ``currency``."""
    if hourly_pay_rate < 0:
        raise DialerError("pay_rate", f"site {code}: the hourly pay rate cannot be negative")
    if pay_currency not in list_currencies():
        raise DialerError("currency", f"site {code}: unknown currency {pay_currency!r}")
    site = Site(code=code, name=name, time_zone=check_time_zone(time_zone),
                hourly_pay_rate=hourly_pay_rate, pay_currency=pay_currency)
    session.add(site)
    session.flush()
    return site


def create_agent(session: Session, site: Site, code: str, interface_language: str,
                 languages: Mapping[str, LanguageLevel], skills: Iterable[str] = (),
                 shifts: Sequence[TimeRange] = ()) -> Agent:
    """A new agent at ``site`` speaking ``languages``, working the weekly ``shifts``
    (site local time; an end at or before the start ends the next day).

    :raises DialerError: ``no_language`` or ``shift``.
    """
    if not languages:
        raise DialerError("no_language", f"agent {code}: an agent speaks at least one language")
    for weekday, start, end in shifts:
        try:
            WeeklyShift(weekday, start, end)
        except WindowError as error:
            raise DialerError("shift", f"agent {code}: {error}") from None
    agent = Agent(code=code, site=site, interface_language=interface_language)
    agent.languages = [AgentLanguage(language=language, level=level)
                       for language, level in languages.items()]
    agent.skills = [AgentSkill(skill=skill) for skill in sorted(set(skills))]
    agent.shifts = [Shift(weekday=weekday, start=start, end=end)
                    for weekday, start, end in shifts]
    session.add(agent)
    session.flush()
    return agent


def agent_by_code(session: Session, code: str) -> Agent:
    """The agent called ``code``. :raises NotFound: ``agent_not_found``."""
    agent = session.scalars(select(Agent).where(Agent.code == code)).one_or_none()
    if agent is None:
        raise NotFound("agent_not_found", f"no agent with code {code!r}")
    return agent
