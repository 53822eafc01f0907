"""Python enums stored as their values in a checked text column, the same on every database."""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import Enum


def enum_column(kind: type[enum.Enum]) -> Enum:
    """A column type storing ``kind`` by value (``"running"``), with a CHECK constraint."""
    return Enum(kind, name=kind.__name__.lower(), native_enum=False, create_constraint=True,
                length=20,
                values_callable=_values, validate_strings=True)


def _values(kind: Any) -> list[str]:
    return [member.value for member in kind]
