"""Words the console shows for codes: outcomes and languages, in the agent's language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime
from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice

from survey_engine.i18n.languages import LANGUAGES, locale_of
from survey_engine.web.i18n import interface_language

#: How a call ended, as the agent is told.
ENDING_LABELS = {
    "complete": _l("interview complete"),
    "screened_out": _l("screened out"),
    "quota_full": _l("quota full"),
    "refusal": _l("refusal"),
    "break_off": _l("break-off"),
    "appointment": _l("appointment made"),
    "respondent_unavailable": _l("respondent not available"),
    "language_problem": _l("language problem"),
    "asked_not_to_be_called": _l("never to be called again"),
    "busy": _l("busy"),
    "no_answer": _l("no answer"),
    "answering_machine": _l("answering machine"),
    "non_working": _l("number not working"),
    "disconnected": _l("number disconnected"),
    "call_blocked": _l("call blocked"),
    "network_failure": _l("network failure"),
    "dial_refused": _l("not dialed (refused by the dialer)"),
}


def outcome_label(ending: str | None, code: str | None) -> str:
    """``ending`` in words, with its AAPOR code."""
    words = str(ENDING_LABELS.get(ending or "", ending or _("ended")))
    return f"{words} ({code})" if code else words


def language_name(code: str) -> str:
    """A language's name in the agent's own language."""
    names = Locale.parse(locale_of(interface_language()).language).languages
    return str(names.get(code, code))


def language_choices(campaign_languages: Iterable[str], spoken: str) -> list[SelectChoice]:
    """The languages an agent may say they heard: the campaign's and the product's, not the
    one the respondent is recorded with."""
    codes = sorted({*campaign_languages, *LANGUAGES} - {spoken})
    return [SelectChoice("", "—"), *(SelectChoice(code, language_name(code)) for code in codes)]


def clock(instant: dt.datetime, time_zone: str | None) -> str:
    """Weekday and time of ``instant`` in ``time_zone`` (the reader's own when None), written
    the reader's way."""
    zone = ZoneInfo(time_zone) if time_zone else get_timezone()
    return format_datetime(instant, "EEE HH:mm", tzinfo=zone, locale=get_locale())


def weekday_name(weekday: int) -> str:
    """A weekday (0 = Monday) in the reader's language."""
    names = Locale.parse(str(get_locale())).days["format"]["wide"]
    return str(names[weekday])
