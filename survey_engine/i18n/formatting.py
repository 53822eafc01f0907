"""Numbers, dates, times and percentages written the way each language writes them, through
CLDR (Babel) and the territory chosen for each language in
:mod:`~survey_engine.i18n.languages`.

French uses a narrow no-break space to group thousands (1 234,5), Turkish puts the percent
sign first (%25), Russian writes months in the genitive (1 марта 2019 г.), and Albanian is
written on a 24-hour clock (sq_XK) rather than CLDR's default 12-hour one.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from babel.dates import format_date, format_datetime, format_time
from babel.numbers import NumberFormatError, format_decimal, format_percent, parse_decimal

from survey_engine.i18n.languages import locale_of


def number(value: int | Decimal | float, language: str) -> str:
    """``value`` as ``language`` writes numbers."""
    return format_decimal(value, locale=locale_of(language))


def percent(fraction: float | Decimal, language: str) -> str:
    """``fraction`` (0.25) as a percentage (25 %, %25...)."""
    return format_percent(fraction, locale=locale_of(language))


def long_date(value: dt.date, language: str) -> str:
    """A date written out in full (1 mars 2019, 1 марта 2019 г.)."""
    return format_date(value, "long", locale=locale_of(language))


def short_time(value: dt.time | dt.datetime, language: str) -> str:
    """A time of day (14:05) in the language's clock convention."""
    return format_time(value, "short", locale=locale_of(language))


def date_time(value: dt.datetime, language: str) -> str:
    """A date with its time, medium length."""
    return format_datetime(value, "medium", locale=locale_of(language))


def parse_number(text: str, language: str) -> Decimal | None:
    """A number typed the local way ("2,5" in French, "1.234,5" in Dutch); None if the text
    is not a number in that language (strict: "2.5" is not a Dutch number)."""
    try:
        return parse_decimal(text.strip(), locale=locale_of(language), strict=True)
    except (NumberFormatError, ValueError):
        return None
