"""Phone numbers as the dialer accepts them: valid, of an allowed type and country, in E.164,
with the time zones the numbering plan places them in. All of it from ``phonenumbers``.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumberType
from phonenumbers.timezone import time_zones_for_number

from survey_engine.questionnaire.contact import MASK, mask_parsed_phone, mask_phone

__all__ = ["NUMBER_TYPES", "CheckedNumber", "NumberRefused", "check_number", "check_prefix",
           "international_number", "mask_phone", "mask_prefix"]

#: phonenumbers' number types by lower-case name ("mobile", "premium_rate", ...).
NUMBER_TYPES: dict[str, int] = {
    name.lower(): value for name, value in vars(PhoneNumberType).items()
    if name.isupper() and isinstance(value, int)}

#: Types never called, whatever a campaign allows: the respondent would pay, or a third party.
_REFUSED_TYPES = {PhoneNumberType.PREMIUM_RATE: "premium_rate",
                  PhoneNumberType.SHARED_COST: "shared_cost"}
_UNKNOWN_ZONE = "Etc/Unknown"
_PREFIX = re.compile(r"\+[1-9][0-9]{0,14}")


class NumberRefused(ValueError):
    """A number the dialer will not call. ``reason`` is a stable code."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class CheckedNumber:
    """A callable number: E.164 text, its country (ISO 3166 region), its possible zones, and
    the masked form agents see (``+32 4•• •• •• 67``)."""

    e164: str
    country: str
    time_zones: tuple[str, ...]
    masked: str


def check_number(raw: str, *, allowed_countries: Collection[str],
                 allowed_types: Collection[str], default_country: str | None = None
                 ) -> CheckedNumber:
    """``raw`` checked for calling. National numbers are read as ``default_country``'s.

    :raises NumberRefused: ``invalid_number``, ``premium_rate``, ``shared_cost``,
        ``number_type`` or ``country``.
    """
    text = raw.strip()
    try:
        number = phonenumbers.parse(text, default_country)
    except phonenumbers.NumberParseException:
        raise NumberRefused("invalid_number", f"{text!r} is not a phone number") from None
    if not phonenumbers.is_valid_number(number):
        raise NumberRefused("invalid_number", f"{text!r} is not a valid phone number")
    kind = phonenumbers.number_type(number)
    if kind in _REFUSED_TYPES:
        reason = _REFUSED_TYPES[kind]
        raise NumberRefused(reason, f"{text!r} is a {reason.replace('_', '-')} number")
    type_name = next(name for name, value in NUMBER_TYPES.items() if value == kind)
    if type_name not in allowed_types:
        raise NumberRefused("number_type", f"{text!r} is a {type_name} number, not one of "
                                           f"{', '.join(sorted(allowed_types))}")
    country = phonenumbers.region_code_for_number(number) or ""
    if country not in allowed_countries:
        raise NumberRefused("country", f"{text!r} belongs to {country or 'no country'}, not "
                                       f"to {', '.join(sorted(allowed_countries))}")
    zones = tuple(zone for zone in time_zones_for_number(number) if zone != _UNKNOWN_ZONE)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return CheckedNumber(e164=str(e164), country=country, time_zones=zones,
                         masked=mask_parsed_phone(number))


def international_number(text: str) -> str:
    """A whole number written in international form (``+32 (0)470 12 34 56``) in E.164
    (``+32470123456``), as the do-not-call list stores it.

    :raises NumberRefused: ``invalid_number``.
    """
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_possible_number(number):
        raise NumberRefused("invalid_number", f"{text!r} is not a whole phone number in "
                                              f"international form (+ and the country code)")
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def check_prefix(text: str) -> str:
    """A number or the start of numbers, as stored E.164 numbers begin: a valid whole number
    in E.164 (``+32 (0)470 12 34 56`` → ``+32470123456``), otherwise ``+`` and digits with
    separators and a national trunk ``(0)`` removed (``+32 (0)471`` → ``+32471``). A prefix
    must start with a country code, must not keep the trunk prefix after it (``+32 0471``
    could never match), and must be shorter than the country's longest number.

    :raises NumberRefused: ``prefix``.
    """
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and phonenumbers.is_valid_number(number):
        return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    compact = re.sub(r"[\s.()/-]", "", text.replace("(0)", ""))
    if not _PREFIX.fullmatch(compact):
        raise NumberRefused("prefix", f"{text!r} is not a number or prefix in international "
                                      f"form (+ and digits)")
    problem = _prefix_problem(compact[1:])
    if problem:
        raise NumberRefused("prefix", f"{text!r} {problem}")
    return compact


def mask_prefix(prefix: str) -> str:
    """An exclusion as staff may see it (they never need its number): a whole number masked
    as agents see numbers (``+32 4•• •• •• 67``); a prefix as its country code and first
    digit, each digit after masked (``+32471`` → ``+32 4••``)."""
    try:
        number = phonenumbers.parse(prefix, None)
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and phonenumbers.is_valid_number(number):
        return mask_parsed_phone(number)
    digits = prefix.removeprefix("+")
    code = next((digits[:size] for size in (1, 2, 3)
                 if digits[:size].isdigit()
                 and int(digits[:size]) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE), "")
    national = digits[len(code):]
    return f"+{code} {national[:1]}{MASK * len(national[1:])}".rstrip()


def _prefix_problem(digits: str) -> str | None:
    """Why these digits after ``+`` can begin no valid number, or None."""
    code = next((int(digits[:size]) for size in (1, 2, 3)
                 if int(digits[:size]) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE), None)
    if code is None:
        return "does not start with a country code"
    national = digits[len(str(code)):]
    region = phonenumbers.region_code_for_country_code(code)
    metadata = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(code, region)
    if metadata is None:
        return None
    trunk = metadata.national_prefix
    if trunk and national.startswith(trunk):
        return (f"keeps the national prefix {trunk} after +{code}: no number in international "
                f"form starts so (write +{code}{national[len(trunk):]})")
    lengths = metadata.general_desc.possible_length if metadata.general_desc else None
    longest = max(lengths or (15 - len(str(code)),))
    if len(national) >= longest:
        return f"is as long as a whole +{code} number but is not a valid one"
    return None
