"""Plain values as the engine holds them, whatever their source (a typed answer, a contact
file, a stored interview, an expression literal): ISO dates and exact, finite, bounded
numbers. One definition here, so that every layer refuses the same things."""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal
from typing import Any

#: The largest number an answer or contact value may hold: far beyond any survey's range,
#: small enough that no arithmetic on it can overflow (1e999999 is not an answer, it is an
#: attack).
LARGEST = Decimal(10) ** 15

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def iso_date(text: str) -> dt.date | None:
    """``text`` as a YYYY-MM-DD date, or None. Stricter than :meth:`date.fromisoformat`,
    which also reads 20190301 and 2019-W09-5: a number is never silently a date."""
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def as_number(value: Any) -> Decimal | None:
    """An exact number from an int, float or Decimal; None otherwise, and None for what is
    not a usable value: infinities, NaN, and magnitudes of :data:`LARGEST` and beyond."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value)) if math.isfinite(value) else Decimal("NaN")
    elif isinstance(value, Decimal):
        number = value
    else:
        return None
    if not number.is_finite() or abs(number) >= LARGEST:
        return None
    return number
