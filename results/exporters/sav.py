"""SPSS ``.sav`` written by ReadStat (the library under pyreadstat): variable and value labels
in the export's language (UTF-8), special codes declared as user-missing values, measurement
levels set.

SPSS cuts a value label at 120 bytes and a variable label at 256; labels longer than that are
shortened here on purpose, between whole characters, with an ellipsis, and a warning names
them (:func:`results.text.shorten`), so no label is ever cut in the middle of a letter.

Memory stays flat: pyreadstat would need the whole table in memory, so the file is written
row by row through ReadStat's own streaming writer (:mod:`results.exporters.readstat`). SPSS
declares the string variables' widths in the header, before any row, so the interviews are
read once into a spool file on disk (rows as SPSS stores them, with :mod:`marshal`) while the
widths are measured, and the rows are written from the spool.
"""

from __future__ import annotations

import datetime as dt
import marshal
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO, cast

from results.codebook import Cell, Kind, Variable
from results.exporters.base import Exporter, ExportJob, staged
from results.exporters.readstat import Measure, SavWriter, Type
from results.text import byte_length, shorten

#: SPSS's budgets, in UTF-8 bytes.
VALUE_LABEL_BYTES = 120
VARIABLE_LABEL_BYTES = 256
FILE_LABEL_BYTES = 64


#: SPSS counts dates in seconds from the start of the Gregorian calendar, 1582-10-14.
SPSS_EPOCH = dt.date(1582, 10, 14)
DATE_FORMAT = "DATE11"


class SavExporter(Exporter):
    name = "sav"
    suffix = ".sav"

    def write(self, job: ExportJob, out: Path) -> list[Path]:
        codebook = job.codebook
        with tempfile.TemporaryFile() as spool:
            widths, rows = _spool(job, spool)
            spool.seek(0)
            with staged(out) as (path,), path.open("wb") as handle, SavWriter(handle) as sav:
                sav.file_label(shorten(job.labels.title(), FILE_LABEL_BYTES))
                for index, variable in enumerate(codebook.variables):
                    self._declare(job, sav, variable, widths.get(index, 0))
                sav.begin(rows)
                for _ in range(rows):
                    sav.row(marshal.load(spool))
                sav.end()
        return [out]

    def _declare(self, job: ExportJob, sav: SavWriter, variable: Variable, width: int) -> None:
        text = variable.kind is Kind.TEXT
        print_format = (DATE_FORMAT if variable.kind is Kind.DATE
                        else "F12.0" if variable.integer
                        else "F16.4" if variable.kind is Kind.NUMBER else None)
        sav.add_variable(
            variable.name, Type.STRING if text else Type.DOUBLE, width,
            label=self._variable_label(job, variable),
            measure=Measure[variable.measure.name], print_format=print_format,
            value_labels=self._value_labels(job, variable) if variable.values else None,
            missing=tuple(float(code) for code in variable.missing))

    @staticmethod
    def _variable_label(job: ExportJob, variable: Variable) -> str:
        """The label within SPSS's budget; the question's text is shortened before the part
        that tells its variables apart (an option's label)."""
        label = shorten(variable.label, VARIABLE_LABEL_BYTES)
        tail = variable.tail
        if label != variable.label and tail and byte_length(tail) < VARIABLE_LABEL_BYTES // 2:
            head = variable.label[:len(variable.label) - len(tail)]
            label = shorten(head, VARIABLE_LABEL_BYTES - byte_length(tail)) + tail
        if label != variable.label:
            job.warn(f"{variable.name}: its label is longer than SPSS's "
                     f"{VARIABLE_LABEL_BYTES} bytes and was shortened to {label!r}")
        return label

    @staticmethod
    def _value_labels(job: ExportJob, variable: Variable) -> dict[Any, str]:
        labels: dict[Any, str] = {}
        for value, label in variable.values.items():
            short = shorten(label, VALUE_LABEL_BYTES)
            if short != label:
                job.warn(f"{variable.name} = {value}: its label has {byte_length(label)} "
                         f"bytes, more than SPSS's {VALUE_LABEL_BYTES}; shortened to {short!r}")
            labels[value if variable.kind is Kind.TEXT else float(value)] = short
        return labels


def _spool(job: ExportJob, spool: BinaryIO) -> tuple[dict[int, int], int]:
    """Read the interviews once: each row, as SPSS stores it, marshalled into ``spool``; return
    each string variable's width (its longest value in UTF-8 bytes, at least one) by column
    index, and the number of rows."""
    variables = job.codebook.variables
    texts = [index for index, variable in enumerate(variables) if variable.kind is Kind.TEXT]
    widths = dict.fromkeys(texts, 1)
    rows = 0
    for record in job.records():
        row = [_spss(variable, cell)
               for variable, cell in zip(variables, job.codebook.row(record), strict=True)]
        for index in texts:
            widths[index] = max(widths[index], byte_length(cast(str, row[index])))
        marshal.dump(row, spool)
        rows += 1
    return widths, rows


def _spss(variable: Variable, cell: Cell) -> float | str | None:
    """A cell as SPSS stores it: texts as strings (empty when none), dates in seconds from
    SPSS's epoch, numbers as floats, and None for a missing number or date."""
    if variable.kind is Kind.TEXT:
        return "" if cell is None else str(cell)
    if cell is None:
        return None
    if isinstance(cell, dt.date):
        return float((cell - SPSS_EPOCH).days * 86400)
    return float(_number(cell))


def _number(cell: Cell) -> int | Decimal:
    assert isinstance(cell, (int, Decimal)), cell
    return cell
