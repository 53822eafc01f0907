"""What the tabular formats (CSV, XLSX) share: cells as text, and the codebook as rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from results.codebook import Cell, Codebook


def text_of(cell: Cell) -> str:
    """A cell as text: empty for None, ISO dates, numbers without exponent."""
    if cell is None:
        return ""
    if isinstance(cell, Decimal):
        return format(cell.normalize(), "f")
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return str(cell)


#: The codebook's columns.
CODEBOOK_HEADER = ("variable", "label", "type", "measure", "value", "value_label", "missing")


def codebook_rows(codebook: Codebook) -> Iterator[tuple[str, ...]]:
    """One row per variable (its label, type and measure), then one per labelled value
    (marked ``missing`` for the special answers declared missing)."""
    for variable in codebook.variables:
        yield (variable.name, variable.label, variable.kind.value, variable.measure.value,
               "", "", "")
        for value, label in variable.values.items():
            missing = "missing" if value in variable.missing else ""
            yield (variable.name, "", "", "", str(value), label, missing)
