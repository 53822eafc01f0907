"""Operations on clients and campaigns: create them checked, find a campaign by code, load
its questionnaire as fielded.

A campaign's retry delays are stored by AAPOR disposition code (``3.12``), as
:func:`dialer.outcomes.next_step` looks them up; they may be given by code or by a readable
name (:data:`RETRY_NAMES`, ``busy`` for ``3.12``), see :func:`retry_code`.

Every function flushes and never commits; the caller's transaction decides (STYLE 4).
"""

from __future__ import annotations

import datetime as dt
import difflib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

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
    DialingMode,
    LanguageLevel,
    RetryRule,
)
from dialer.models.campaigns import DEFAULT_NUMBER_TYPES
from dialer.outcomes import DISPOSITIONS, CallEnding, attempt_disposition
from dialer.people import TimeRange
from dialer.phones import NUMBER_TYPES
from dialer.windows import WeeklyWindow, WindowError
from survey_engine.errors import EngineError
from survey_engine.i18n.languages import LANGUAGES
from survey_engine.questionnaire.loader import load
from survey_engine.questionnaire.model import Questionnaire

logger = logging.getLogger(__name__)

# The code of each ending but an appointment, which is called back at the time agreed, and a
# withdrawal, which shares its code (3.11, not attempted) with ``dial_refused``.
_ENDINGS = {ending.value: attempt_disposition(ending) for ending in CallEnding
            if ending not in (CallEnding.APPOINTMENT, CallEnding.WITHDRAWN)}
#: Readable retry keys: each :class:`CallEnding` value whose attempts are coded one way and
#: may be retried, with that code (``refusal`` is a first, soft refusal: 2.111; ``break_off``
#: one short of a partial: 2.12). ``appointment`` is not one: an appointment is called back at
#: the time agreed with the respondent.
RETRY_NAMES: Mapping[str, str] = MappingProxyType(
    {name: code for name, code in _ENDINGS.items() if not DISPOSITIONS[code].final_at_once})
#: The longest call a campaign may allow, in minutes, and the range of its ringing time.
MAX_CALL_MINUTES = 24 * 60
NO_ANSWER_SECONDS = (5, 300)


def retry_code(key: str) -> str:
    """The AAPOR disposition code a retry key names.

    :param key: a code of :data:`dialer.outcomes.DISPOSITIONS` (``"3.12"``) or a name of
        :data:`RETRY_NAMES` (``"busy"``).
    :returns: the code.
    :raises DialerError: ``retry`` for an unknown key, ``appointment``, or a code (or the name
        of one) that settles a contact at once, so that a delay after it would never be used.
    """
    if key in RETRY_NAMES:
        return RETRY_NAMES[key]
    if key == CallEnding.APPOINTMENT.value:
        raise DialerError("retry", "appointment is not a retry key: an appointment is called "
                                   "back at the time agreed with the respondent")
    code = _ENDINGS.get(key, key)
    found = DISPOSITIONS.get(code)
    if found is None:
        close = difflib.get_close_matches(key, list(RETRY_NAMES), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise DialerError("retry", f"unknown retry key {key!r}{hint}: write an AAPOR "
                                   f"disposition code such as 3.12 or 2.111, or one of the "
                                   f"names {', '.join(RETRY_NAMES)}")
    if found.final_at_once:
        named = found.label if code == key else f"{code}, {found.label}"
        raise DialerError("retry", f"a retry delay after {key} ({named}) would never be "
                                   f"used: it settles the contact at once")
    return code


def create_client(session: Session, code: str, name: str, language: str = "en") -> Client:
    """A new client, who reads reports and export labels in ``language``.

    :raises DialerError: ``client_language`` for a language the product does not speak.
    """
    if language not in LANGUAGES:
        raise DialerError("client_language", f"client {code}: {language!r} is not a product "
                                             f"language ({', '.join(LANGUAGES)})")
    client = Client(code=code, name=name, language=language)
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
                    skip_public_holidays: bool = True,
                    dialing_mode: DialingMode | str = DialingMode.PROGRESSIVE,
                    max_call_minutes: int = 30, no_answer_seconds: int = 30,
                    export_contact_fields: Sequence[str] = ()) -> Campaign:
    """A new draft campaign fielding the questionnaire at ``questionnaire_path``.

    :param retry_delays: waits before calling again, by AAPOR code or readable name (see
        :func:`retry_code`), stored by code; they replace the defaults of
        :data:`dialer.outcomes.DEFAULT_RETRY_DELAYS` code by code.
    :param dialing_mode: ``preview`` (the agent reads the case, then presses call) or
        ``progressive`` (a call is placed as soon as an agent is ready).
    :param max_call_minutes: a call still going after this long is hung up (1 to 1440).
    :param no_answer_seconds: how long a call rings before it counts as not answered (5 to
        300).
    :param export_contact_fields: contact fields of the questionnaire that exports may carry
        (none by default: only what the client needs leaves the centre); phone fields never.
    :raises DialerError: ``questionnaire`` (unloadable), ``language`` (not offered by the
        questionnaire), ``country``, ``number_type``, ``window``, ``retry`` (see
        :func:`retry_code`; also two keys naming one code, or a delay that is negative or not
        whole minutes), ``max_attempts``, ``dialing_mode``, ``max_call_minutes`` or
        ``no_answer_seconds``; ``export_contact_fields`` (a field the questionnaire does not
        declare, or a phone field).
    """
    questionnaire = _load(questionnaire_path)
    _check_export_fields(code, questionnaire, export_contact_fields)
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
    mode = _dialing_mode(code, dialing_mode)
    _check_whole(code, "max_call_minutes", max_call_minutes, 1, MAX_CALL_MINUTES, "minutes")
    _check_whole(code, "no_answer_seconds", no_answer_seconds, *NO_ANSWER_SECONDS, "seconds")
    for weekday, start, end in windows:
        try:
            WeeklyWindow(weekday, start, end)
        except WindowError as error:
            raise DialerError("window", f"campaign {code}: {error}") from None
    delays = _retry_minutes(code, retry_delays or {})
    campaign = Campaign(
        code=code, name=name, client=client, questionnaire_path=str(questionnaire_path),
        questionnaire_slug=questionnaire.slug, questionnaire_version=questionnaire.version,
        languages=list(languages), allowed_countries=list(allowed_countries),
        allowed_number_types=list(allowed_number_types), max_attempts=max_attempts,
        priority=priority, minimum_language_level=minimum_language_level,
        skip_public_holidays=skip_public_holidays, dialing_mode=mode,
        max_call_minutes=max_call_minutes, no_answer_seconds=no_answer_seconds,
        export_contact_fields=list(export_contact_fields))
    campaign.windows = [CallingWindow(weekday=weekday, start=start, end=end)
                        for weekday, start, end in windows]
    campaign.retry_rules = [RetryRule(outcome=outcome, delay_minutes=minutes)
                            for outcome, minutes in delays.items()]
    session.add(campaign)
    session.flush()
    return campaign


def _check_export_fields(code: str, questionnaire: Questionnaire,
                         names: Sequence[str]) -> None:
    """Refuse export fields the questionnaire does not declare, and phone numbers: the
    numbers dialed never leave the sealed system."""
    declared = questionnaire.contact_fields
    unknown = [name for name in names if name not in declared]
    if unknown:
        raise DialerError("export_contact_fields",
                          f"campaign {code}: export_contact_fields {unknown} are not contact "
                          f"fields of the questionnaire ({', '.join(declared) or 'none'})")
    phones = [name for name in names if declared[name].type == "phone"]
    if phones:
        raise DialerError("export_contact_fields",
                          f"campaign {code}: {phones} are phone numbers, which never leave "
                          "the call centre: export another field to match interviews")
    if len(set(names)) != len(names):
        raise DialerError("export_contact_fields",
                          f"campaign {code}: export_contact_fields names a field twice")


def _dialing_mode(code: str, mode: DialingMode | str) -> DialingMode:
    if isinstance(mode, DialingMode):
        return mode
    try:
        return DialingMode(mode)
    except ValueError:
        modes = " or ".join(known.value for known in DialingMode)
        raise DialerError("dialing_mode", f"campaign {code}: unknown dialing mode {mode!r}; "
                                          f"it is {modes} (there is no predictive mode: an "
                                          f"answered call always has an agent)") from None


def _check_whole(code: str, what: str, value: object, low: int, high: int, unit: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise DialerError(what, f"campaign {code}: {what} must be a whole number of {unit} "
                                f"from {low} to {high}, not {value!r}")


def _retry_minutes(code: str, delays: Mapping[str, dt.timedelta]) -> dict[str, int]:
    """The delays in whole minutes, by the AAPOR code each key names."""
    minutes: dict[str, int] = {}
    keys: dict[str, str] = {}
    for key, delay in delays.items():
        try:
            outcome = retry_code(key)
        except DialerError as error:
            raise DialerError(error.code, f"campaign {code}: {error.message}") from None
        if outcome in keys:
            raise DialerError("retry", f"campaign {code}: retry keys {keys[outcome]!r} and "
                                       f"{key!r} both name {outcome} "
                                       f"({DISPOSITIONS[outcome].label}); keep one")
        if delay < dt.timedelta(0) or delay % dt.timedelta(minutes=1):
            raise DialerError("retry", f"campaign {code}: the retry delay after {key} must "
                                       f"be a whole number of minutes, not negative")
        keys[outcome] = key
        minutes[outcome] = int(delay.total_seconds() // 60)
    return minutes


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
    id: int = 0
    name: str = ""


def campaign_overview(session: Session, *, client_id: int | None = None
                      ) -> list[CampaignOverview]:
    """Every campaign (of one client, if given), highest priority first, its contacts counted
    in one query."""
    def counted(state: ContactState) -> Label[int]:
        return func.count().filter(Contact.state == state).label(state.value)

    counts = (select(Contact.campaign_id, *(counted(state) for state in ContactState))
              .group_by(Contact.campaign_id).subquery())
    query = (select(Campaign.code, Client.code, Campaign.state, Campaign.priority,
                    Campaign.languages, Campaign.id, Campaign.name,
                    *(func.coalesce(counts.c[state.value], 0) for state in ContactState))
             .join(Client, Campaign.client_id == Client.id)
             .outerjoin(counts, counts.c.campaign_id == Campaign.id)
             .order_by(Campaign.priority.desc(), Campaign.code))
    if client_id is not None:
        query = query.where(Campaign.client_id == client_id)
    return [CampaignOverview(code, client, state, priority, list(languages),
                             dict(zip(ContactState, totals, strict=True)), ident, name)
            for code, client, state, priority, languages, ident, name, *totals
            in session.execute(query)]
