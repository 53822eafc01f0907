"""Contact-field values: checked against their declared type, by the libraries made for it.

Used when a script or an import gives a contact record, and when a ``verify`` question's
respondent corrects a value.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from survey_engine.questionnaire.model import ContactField
from survey_engine.values import LARGEST, as_number, iso_date

_PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


class ContactValueError(ValueError):
    """A contact value does not fit its field. ``reason`` is a stable code."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def normalize(field: ContactField, value: Any) -> Any:
    """The value in its stored form for ``field``'s type.

    :raises ContactValueError: when the value does not fit the type or the pattern.
    """
    if field.type == "date":
        result: Any = _date(value)
    elif field.type == "number":
        result = _number(value)
    else:
        if not isinstance(value, str):
            raise ContactValueError("not_text", f"{field.name}: expected text")
        result = value.strip()
        if result and field.type == "email":
            result = _email(result)
        elif result and field.type == "phone":
            result = _phone(result)
    if field.pattern is not None and result != "" and not field.pattern.search(str(result)):
        raise ContactValueError("pattern", f"{field.name}: {result!r} does not match "
                                           f"{field.pattern.pattern!r}")
    return result


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    date = iso_date(value.strip()) if isinstance(value, str) else None
    if date is None:
        raise ContactValueError("date", f"{value!r} is not a date (YYYY-MM-DD)")
    return date


def _number(value: Any) -> int | Decimal:
    """A number from a number, or from text written plainly (-12.5): files and forms write
    numbers that way; exponents, NaN and infinities are not contact data."""
    if isinstance(value, str):
        text = value.strip()
        number = Decimal(text) if _PLAIN_NUMBER.fullmatch(text) else None
    else:
        number = as_number(value)
    if number is None or abs(number) >= LARGEST:
        raise ContactValueError("number", f"{value!r} is not a number")
    return int(number) if number == number.to_integral_value() else number


def _email(text: str) -> str:
    try:
        return str(validate_email(text, check_deliverability=False).normalized)
    except EmailNotValidError as error:
        raise ContactValueError("email", f"{text!r} is not an e-mail address: {error}") from None


def _phone(text: str) -> str:
    """The number in E.164. Refusals name only its last two digits: they may reach an agent,
    who must never see a full number."""
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        raise ContactValueError("phone", f"the number ending in {_last_digits(text)} is not "
                                         "in international form (+32...)") from None
    if not phonenumbers.is_valid_number(number):
        raise ContactValueError("phone", f"the number ending in {_last_digits(text)} is not "
                                         "a valid phone number")
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


MASK = "\u2022"


def _last_digits(text: str) -> str:
    digits = [character for character in text if character.isdigit()]
    return "".join(digits[-2:]) or "(no digits)"


def mask_phone(number: str) -> str:
    """A phone number as agents may see it: country code, first digit and last two digits,
    the rest masked (``+32 4•• •• •• 67``). Agents never see a full number.

    :raises ContactValueError: if ``number`` is not a phone number.
    """
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        raise ContactValueError("phone", "not a phone number") from None
    return mask_parsed_phone(parsed)


def mask_parsed_phone(parsed: phonenumbers.PhoneNumber) -> str:
    """:func:`mask_phone` for a number ``phonenumbers`` has parsed already."""
    written = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    prefix = f"+{parsed.country_code}"
    national = written[len(prefix):]
    digits = sum(ch.isdigit() for ch in national)
    seen = 0
    masked = []
    for ch in national:
        if ch.isdigit():
            seen += 1
            keep = seen == 1 or seen > digits - 2
            masked.append(ch if keep else MASK)
        else:
            masked.append(ch)
    return prefix + "".join(masked)


def normalize_contact(fields: Mapping[str, ContactField], record: Mapping[str, Any]
                      ) -> dict[str, Any]:
    """A whole contact record checked against the declared fields.

    Unknown fields are refused, required fields must be present and non-empty.

    :raises ContactValueError: on the first problem.
    """
    unknown = sorted(set(record) - set(fields))
    if unknown:
        raise ContactValueError("unknown_field", f"unknown contact field(s): "
                                                 f"{', '.join(map(str, unknown))}")
    result: dict[str, Any] = {}
    for name, field in fields.items():
        value = record.get(name)
        if value is None or value == "":
            if field.required:
                raise ContactValueError("required", f"{name}: a value is required")
            if value == "":
                result[name] = ""
            continue
        result[name] = normalize(field, value)
    return result
