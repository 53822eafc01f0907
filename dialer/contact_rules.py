"""The rules a contact's language and time zone follow, shared by the importer and by
:func:`dialer.contacts.add_contact`, so that a contact is accepted or refused the same way
whichever door it comes in by.

The time zone decides when a respondent may be called, so it is never guessed: it comes from
the file, or from the number when the number's plan places it in one zone. A zone given in the
file must be one the number's plan allows (a Belgian mobile is in Europe/Brussels); a number
whose country spans several zones needs one given.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from zoneinfo import available_timezones

from dialer.phones import CheckedNumber


class ContactRefused(ValueError):
    """A contact the campaign cannot take. ``reason`` is a stable code."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@functools.cache
def _zones_by_lower_name() -> dict[str, str]:
    return {zone.lower(): zone for zone in available_timezones()}


def known_time_zone(name: str) -> str:
    """The IANA zone ``name`` designates, in its canonical case.

    :raises ContactRefused: ``unknown_time_zone``.
    """
    zone = _zones_by_lower_name().get(name.strip().lower())
    if zone is None:
        raise ContactRefused("unknown_time_zone", f"unknown time zone {name.strip()!r} (an "
                                                  f"IANA name such as Europe/Brussels)")
    return zone


def contact_time_zone(given: str | None, number: CheckedNumber) -> str:
    """The respondent's zone: ``given`` if the number's plan allows it, else the number's only
    zone.

    :raises ContactRefused: ``unknown_time_zone``, ``time_zone_mismatch`` or
        ``ambiguous_time_zone``.
    """
    if given and given.strip():
        zone = known_time_zone(given)
        if number.time_zones and zone not in number.time_zones:
            raise ContactRefused(
                "time_zone_mismatch",
                f"{zone} is not a time zone of this number ({', '.join(number.time_zones)})")
        return zone
    if len(number.time_zones) == 1:
        return number.time_zones[0]
    raise ContactRefused(
        "ambiguous_time_zone",
        f"{number.country} numbers like this one span several time zones "
        f"({len(number.time_zones)}); give one in a time_zone column" if number.time_zones
        else "the number's time zone is unknown; give one in a time_zone column")


def interview_language(given: str | None, offered: Sequence[str]) -> str:
    """The campaign language ``given`` names (any case).

    :raises ContactRefused: ``missing_language`` or ``unknown_language``.
    """
    text = (given or "").strip().lower()
    if not text:
        raise ContactRefused("missing_language", "no language given")
    for language in offered:
        if language.lower() == text:
            return language
    raise ContactRefused("unknown_language", f"{text!r} is not a language of the campaign "
                                             f"({', '.join(offered)})")
