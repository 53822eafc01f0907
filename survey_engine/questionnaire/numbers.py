"""Numbers as answers and contact values hold them: exact decimals, finite, in range."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from survey_engine.i18n.formatting import LARGEST


def as_number(value: Any) -> Decimal | None:
    """An exact number from an int, float or Decimal; None otherwise, and None for what is
    not a usable answer: infinities, NaN, and magnitudes beyond any survey's range."""
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
