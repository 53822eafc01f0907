"""SPSS ``.sav`` through pyreadstat (ReadStat): variable and value labels in the export's
language (UTF-8), special codes declared as user-missing values, measurement levels set.

SPSS cuts a value label at 120 bytes and a variable label at 256; labels longer than that are
shortened here on purpose, between whole characters, with an ellipsis, and a warning names
them (:func:`results.text.shorten`), so no label is ever cut in the middle of a letter.

Memory: pyreadstat writes a whole table at once, so this exporter, unlike the others, holds
the interviews' cells in memory, as compactly as it can (8 bytes per numeric cell in typed
arrays; text cells as Python strings), and writes them in one call.
"""

from __future__ import annotations

import datetime as dt
from array import array
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy
import pandas
import pyreadstat

from results.codebook import Cell, Codebook, Kind, Variable
from results.exporters.base import Exporter, ExportJob, staged
from results.text import byte_length, shorten

#: SPSS's budgets, in UTF-8 bytes.
VALUE_LABEL_BYTES = 120
VARIABLE_LABEL_BYTES = 256
FILE_LABEL_BYTES = 64


class SavExporter(Exporter):
    name = "sav"
    suffix = ".sav"

    def write(self, job: ExportJob, out: Path) -> list[Path]:
        codebook = job.codebook
        columns = _Columns(codebook)
        for record in job.records():
            columns.add(codebook.row(record))
        frame = columns.frame()
        with staged(out) as (path,):
            pyreadstat.write_sav(
                frame, str(path),
                file_label=shorten(job.labels.title(), FILE_LABEL_BYTES),
                column_labels={v.name: self._variable_label(job, v) for v in codebook.variables},
                variable_value_labels={v.name: self._value_labels(job, v)
                                       for v in codebook.variables if v.values},
                missing_ranges={v.name: [float(code) for code in v.missing]
                                for v in codebook.variables if v.missing},
                variable_measure={v.name: v.measure.value for v in codebook.variables},
                variable_format=_formats(codebook))
        return [out]

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


def _formats(codebook: Codebook) -> dict[str, str]:
    """Print formats: whole numbers without decimals, other numbers with up to four."""
    return {variable.name: "F12.0" if variable.integer else "F16.4"
            for variable in codebook.variables if variable.kind is Kind.NUMBER}


class _Columns:
    """The cells of every interview, column by column: numbers in typed arrays (NaN for
    empty), texts and dates in lists."""

    def __init__(self, codebook: Codebook) -> None:
        self.codebook = codebook
        self.numbers: dict[int, array[float]] = {}
        self.objects: dict[int, list[Any]] = {}
        for index, variable in enumerate(codebook.variables):
            if variable.kind is Kind.NUMBER:
                self.numbers[index] = array("d")
            else:
                self.objects[index] = []

    def add(self, row: list[Cell]) -> None:
        for index, column in self.numbers.items():
            cell = row[index]
            column.append(float("nan") if cell is None else float(_number(cell)))
        for index, values in self.objects.items():
            cell = row[index]
            values.append(cell if isinstance(cell, dt.date) or cell is None else str(cell))

    def frame(self) -> pandas.DataFrame:
        data: dict[str, Any] = {}
        for index, variable in enumerate(self.codebook.variables):
            if index in self.numbers:
                data[variable.name] = numpy.frombuffer(self.numbers[index], dtype=numpy.float64)
            elif variable.kind is Kind.TEXT:
                data[variable.name] = pandas.Series(
                    ["" if value is None else value for value in self.objects[index]],
                    dtype=object)
            else:
                data[variable.name] = pandas.Series(self.objects[index], dtype=object)
        return pandas.DataFrame(data)


def _number(cell: Cell) -> int | Decimal:
    assert isinstance(cell, (int, Decimal)), cell
    return cell
