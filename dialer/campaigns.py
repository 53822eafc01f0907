"""Operations on clients and campaigns: create them checked, find a campaign by code, load
its questionnaire as fielded.

Every function flushes and never commits; the caller's transaction decides (STYLE 4).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import phonenumbers
from sqlalchemy import Label, func, select
from sqlalchemy.orm import Session

from dialer.errors import DialerError, NotFound
from dialer.models import (
    CallingWindow,
    Campaign,
    CampaignState,
    Client,
    Contact,
    ContactState,
    LanguageLevel,
    RetryRule,
)
from dialer.models.campaigns import DEFAULT_NUMBER_TYPES
from dialer.people import TimeRange
from dialer.phones import NUMBER_TYPES
from dialer.windows import WeeklyWindow, WindowError
from survey_engine.errors import EngineError
from survey_engine.questionnaire.loader import load
from survey_engine.questionnaire.model import Questionnaire

logger = logging.getLogger(__name__)



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
    for outcome, delay in delays.items():
        if delay < dt.timedelta(0) or delay % dt.timedelta(minutes=1):
            raise DialerError("retry", f"campaign {code}: the retry delay after {outcome} must "
                                       f"be a whole number of minutes, not negative")
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


@dataclass(frozen=True)
class CampaignOverview:
    """A campaign at a glance: identity, state, and its contacts counted per state."""

    code: str
    client: str
    state: CampaignState
    priority: int
    languages: list[str]
    contacts: dict[ContactState, int]


def campaign_overview(session: Session) -> list[CampaignOverview]:
    """Every campaign, highest priority first, its contacts counted in one query."""
    def counted(state: ContactState) -> Label[int]:
        return func.count().filter(Contact.state == state).label(state.value)

    counts = (select(Contact.campaign_id, *(counted(state) for state in ContactState))
              .group_by(Contact.campaign_id).subquery())
    query = (select(Campaign.code, Client.code, Campaign.state, Campaign.priority,
                    Campaign.languages,
                    *(func.coalesce(counts.c[state.value], 0) for state in ContactState))
             .join(Client, Campaign.client_id == Client.id)
             .outerjoin(counts, counts.c.campaign_id == Campaign.id)
             .order_by(Campaign.priority.desc(), Campaign.code))
    return [CampaignOverview(code, client, state, priority, list(languages),
                             dict(zip(ContactState, totals, strict=True)))
            for code, client, state, priority, languages, *totals in session.execute(query)]
