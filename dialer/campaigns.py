"""Operations on sites, agents, clients and campaigns: create them checked, look them up by code.

Every function flushes and never commits; the caller's transaction decides (STYLE 4).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from zoneinfo import available_timezones

import phonenumbers
from babel.numbers import list_currencies
from sqlalchemy import select
from sqlalchemy.orm import Session

from dialer.errors import DialerError, NotFound
from dialer.models import (
    Agent,
    AgentLanguage,
    AgentSkill,
    CallingWindow,
    Campaign,
    Client,
    LanguageLevel,
    RetryRule,
    Shift,
    Site,
)
from dialer.models.campaigns import DEFAULT_NUMBER_TYPES
from dialer.phones import NUMBER_TYPES
from dialer.windows import WeeklyShift, WeeklyWindow, WindowError
from survey_engine.errors import EngineError
from survey_engine.questionnaire.loader import load
from survey_engine.questionnaire.model import Questionnaire

logger = logging.getLogger(__name__)

#: A weekly time range as given by callers: (weekday 0 = Monday, start, end).
TimeRange = tuple[int, dt.time, dt.time]


def check_time_zone(time_zone: str) -> str:
    """``time_zone`` if it is an IANA zone name. :raises DialerError: ``time_zone``."""
    if time_zone not in _zones():
        raise DialerError("time_zone", f"unknown time zone {time_zone!r} (an IANA name such "
                                       f"as Europe/Brussels)")
    return time_zone


def _zones() -> set[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = available_timezones()
    return _ZONES


_ZONES: set[str] | None = None


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


def create_client(session: Session, code: str, name: str) -> Client:
    """A new client."""
    client = Client(code=code, name=name)
    session.add(client)
    session.flush()
    return client


def create_campaign(session: Session, client: Client, code: str, name: str,
                    questionnaire_path: Path, *, languages: Sequence[str],
                    allowed_countries: Sequence[str], windows: Sequence[TimeRange],
                    retry_delays: Mapping[str, dt.timedelta] | None = None,
                    max_attempts: int = 6, priority: int = 0,
                    allowed_number_types: Sequence[str] = DEFAULT_NUMBER_TYPES,
                    minimum_language_level: LanguageLevel = LanguageLevel.FLUENT,
                    skip_public_holidays: bool = True) -> Campaign:
    """A new draft campaign fielding the questionnaire at ``questionnaire_path``.

    :raises DialerError: ``questionnaire`` (unloadable), ``language`` (not offered by the
        questionnaire), ``country``, ``number_type``, ``window``, ``retry`` or ``max_attempts``.
    """
    questionnaire = _load(questionnaire_path)
    missing = [language for language in languages if language not in questionnaire.languages]
    if not languages or missing:
        raise DialerError("language", f"campaign {code}: languages {missing or '[]'} are not "
                                      f"among the questionnaire's {list(questionnaire.languages)}")
    unknown = [country for country in allowed_countries
               if country not in phonenumbers.SUPPORTED_REGIONS]
    if not allowed_countries or unknown:
        raise DialerError("country", f"campaign {code}: unknown or no countries {unknown}")
    bad_types = [kind for kind in allowed_number_types if kind not in NUMBER_TYPES]
    if bad_types:
        raise DialerError("number_type", f"campaign {code}: unknown number types {bad_types}; "
                                         f"known: {', '.join(sorted(NUMBER_TYPES))}")
    if max_attempts < 1:
        raise DialerError("max_attempts", f"campaign {code}: max_attempts must be at least 1")
    for weekday, start, end in windows:
        try:
            WeeklyWindow(weekday, start, end)
        except WindowError as error:
            raise DialerError("window", f"campaign {code}: {error}") from None
    delays = retry_delays or {}
    if any(delay < dt.timedelta(0) for delay in delays.values()):
        raise DialerError("retry", f"campaign {code}: a retry delay cannot be negative")
    campaign = Campaign(
        code=code, name=name, client=client, questionnaire_path=str(questionnaire_path),
        questionnaire_slug=questionnaire.slug, questionnaire_version=questionnaire.version,
        languages=list(languages), allowed_countries=list(allowed_countries),
        allowed_number_types=list(allowed_number_types), max_attempts=max_attempts,
        priority=priority, minimum_language_level=minimum_language_level,
        skip_public_holidays=skip_public_holidays)
    campaign.windows = [CallingWindow(weekday=weekday, start=start, end=end)
                        for weekday, start, end in windows]
    campaign.retry_rules = [RetryRule(outcome=outcome,
                                      delay_minutes=int(delay.total_seconds() // 60))
                            for outcome, delay in delays.items()]
    session.add(campaign)
    session.flush()
    return campaign


def campaign_questionnaire(campaign: Campaign) -> Questionnaire:
    """The campaign's questionnaire, refused if the file no longer is the version fielded.

    :raises DialerError: ``questionnaire`` or ``questionnaire_changed``.
    """
    questionnaire = _load(Path(campaign.questionnaire_path))
    if (questionnaire.slug, questionnaire.version) != (campaign.questionnaire_slug,
                                                        campaign.questionnaire_version):
        raise DialerError(
            "questionnaire_changed",
            f"campaign {campaign.code} fields {campaign.questionnaire_slug} version "
            f"{campaign.questionnaire_version}, but {campaign.questionnaire_path} now holds "
            f"{questionnaire.slug} version {questionnaire.version}")
    return questionnaire


def _load(path: Path) -> Questionnaire:
    try:
        return load(path)
    except OSError as error:
        raise DialerError("questionnaire", f"{path}: {error.strerror}") from None
    except EngineError as error:  # its message names the file, line and column already
        raise DialerError("questionnaire", str(error)) from None


def campaign_by_code(session: Session, code: str) -> Campaign:
    """The campaign called ``code``. :raises NotFound: ``campaign_not_found``."""
    campaign = session.scalars(select(Campaign).where(Campaign.code == code)).one_or_none()
    if campaign is None:
        raise NotFound("campaign_not_found", f"no campaign with code {code!r}")
    return campaign


def agent_by_code(session: Session, code: str) -> Agent:
    """The agent called ``code``. :raises NotFound: ``agent_not_found``."""
    agent = session.scalars(select(Agent).where(Agent.code == code)).one_or_none()
    if agent is None:
        raise NotFound("agent_not_found", f"no agent with code {code!r}")
    return agent
