"""Triple-S XML 2.0, the market-research interchange standard: a definition file
(``NAME.sss``, XML) and its fixed-width data file (``NAME.asc``, one line per interview).

How the codebook's variables become Triple-S variables:

- a coded variable (a choice, scale, yes/no, verification, the specials of a question) is a
  ``single`` variable, its codes right-aligned with leading zeros, every code labelled;
- the 0/1 variables of a multiple choice are one ``multiple`` variable in bit-string form,
  one column per option in the order of its ``values``;
- counts and numbers (interview number, the ``serial``; NPS; number questions) are
  ``quantity`` variables, right-aligned with the decimal point written; their range is the one
  met in the data, and the special codes they hold are labelled values outside it;
- texts are ``character`` variables as wide as their longest value (``size``), dates
  ``date`` variables (``YYYYMMDD``).

Empty fields (all spaces) are missing values. The data file is UTF-8; its positions count
bytes, as fixed-width readers slice a line (4 Cyrillic letters take 8 columns). Labels are in
the export's language. The exporter reads the interviews twice: once to measure the widest
text and the range of each number, once to write; memory stays flat.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from results.codebook import Cell, Codebook, Kind, Measure, Variable
from results.exporters.base import Exporter, ExportJob, beside, staged
from results.labels import Labels
from results.records import InterviewRecord
from results.text import byte_length

DOCTYPE = ('<!DOCTYPE sss PUBLIC "-//triple-s//DTD Survey Interchange v2.0//EN" '
           '"http://www.triple-s.org/dtd/sss_v20.dtd">')


@dataclass
class Field:
    """One Triple-S variable: its type, the codebook variables it is made of (one, or the
    options of a multiple choice), and what the first pass measured."""

    type: str
    variables: list[Variable]
    width: int = 1
    decimals: int = 0
    low: Decimal | dt.date | None = None
    high: Decimal | dt.date | None = None
    indexes: list[int] = field(default_factory=list)

    @property
    def main(self) -> Variable:
        return self.variables[0]

    def measure(self, cell: Cell) -> None:
        """Widen the field for one value (first pass)."""
        if cell is None:
            return
        if self.type == "character":
            self.width = max(self.width, byte_length(str(cell)))
        elif self.type == "quantity" and not (isinstance(cell, int)
                                              and cell in self.main.missing):
            number = Decimal(cell) if isinstance(cell, int) else cell
            assert isinstance(number, Decimal)
            exponent = number.normalize().as_tuple().exponent
            self.decimals = max(self.decimals, -exponent if isinstance(exponent, int) else 0)
            self._extend(number)
        elif self.type == "date":
            assert isinstance(cell, dt.date)
            self._extend(cell)

    def _extend(self, value: Decimal | dt.date) -> None:
        self.low = value if self.low is None or value < self.low else self.low  # type: ignore[operator]
        self.high = value if self.high is None or value > self.high else self.high  # type: ignore[operator]


def _fields(codebook: Codebook) -> list[Field]:
    fields: list[Field] = []
    for index, variable in enumerate(codebook.variables):
        if variable.option_code is not None:
            previous = fields[-1] if fields else None
            if previous is not None and previous.type == "multiple" \
                    and previous.main.question == variable.question:
                previous.variables.append(variable)
                previous.indexes.append(index)
                continue
            fields.append(Field("multiple", [variable], indexes=[index]))
            continue
        if variable.kind is Kind.TEXT:
            kind = "character"
        elif variable.kind is Kind.DATE:
            kind = "date"
        elif variable.values and variable.measure is not Measure.SCALE:
            kind = "single"
        else:
            kind = "quantity"
        fields.append(Field(kind, [variable], indexes=[index]))
    return fields


class TripleSExporter(Exporter):
    name = "sss"
    suffix = ".sss"
    passes = 2

    def write(self, job: ExportJob, out: Path) -> list[Path]:
        codebook = job.codebook
        fields = _fields(codebook)
        for record in job.records():
            row = codebook.row(record)
            for item in fields:
                if item.type in ("character", "quantity", "date"):
                    item.measure(row[item.indexes[0]])
        for item in fields:
            _settle_width(item)
        data_path = beside(out, ".asc")
        with staged(out, data_path) as (definition, data):
            with data.open("w", encoding="utf-8", newline="\r\n") as handle:
                for line in _lines(job.records(), codebook, fields):
                    handle.write(line + "\n")
            definition.write_text(_definition(job, fields, data_path.name), encoding="utf-8")
        return [out, data_path]


def _settle_width(item: Field) -> None:
    """The field's width from what the first pass measured (and its labelled codes)."""
    if item.type == "multiple":
        item.width = len(item.variables)
    elif item.type == "single":
        item.width = max(len(str(code)) for code in item.main.values)
    elif item.type == "date":
        item.width = 8
    elif item.type == "quantity":
        texts = [_quantity(value, item.decimals) for value in (item.low, item.high)
                 if isinstance(value, Decimal)]
        texts += [_quantity(Decimal(code), item.decimals) for code in item.main.missing]
        item.width = max([len(text) for text in texts] or [1])


def _quantity(value: Decimal, decimals: int) -> str:
    return f"{value:.{decimals}f}"


def _lines(records: Iterator[InterviewRecord], codebook: Codebook, fields: list[Field]
           ) -> Iterator[str]:
    for record in records:
        row = codebook.row(record)
        yield "".join(_cell_text(item, row) for item in fields)


def _cell_text(item: Field, row: list[Cell]) -> str:
    cells = [row[index] for index in item.indexes]
    if item.type == "multiple":
        if all(cell is None for cell in cells):
            return " " * item.width
        return "".join("1" if cell == 1 else "0" for cell in cells)
    cell = cells[0]
    if cell is None:
        return " " * item.width
    if item.type == "single":
        return str(cell).zfill(item.width)
    if item.type == "quantity":
        number = Decimal(cell) if isinstance(cell, int) else cell
        assert isinstance(number, Decimal)
        return _quantity(number, item.decimals).rjust(item.width)
    if item.type == "date":
        assert isinstance(cell, dt.date)
        return cell.strftime("%Y%m%d")
    text = str(cell)
    return text + " " * (item.width - byte_length(text))


def _definition(job: ExportJob, fields: list[Field], data_name: str) -> str:
    now = dt.datetime.now(dt.UTC)
    root = ET.Element("sss", version="2.0")
    ET.SubElement(root, "date").text = now.strftime("%d %b %Y")
    ET.SubElement(root, "time").text = now.strftime("%H:%M")
    ET.SubElement(root, "origin").text = "survey-engine"
    ET.SubElement(root, "user").text = job.campaign.client.name
    survey = ET.SubElement(root, "survey")
    ET.SubElement(survey, "name").text = job.campaign.code
    ET.SubElement(survey, "title").text = job.labels.title()
    record = ET.SubElement(survey, "record", ident="A", href=data_name, format="fixed",
                           skip="0")
    start = 1
    for ident, item in enumerate(fields, start=1):
        _variable(record, ident, item, start, job.labels)
        start += item.width
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{DOCTYPE}\n{body}\n'


def _variable(record: ET.Element, ident: int, item: Field, start: int, labels: Labels
              ) -> None:
    main = item.main
    attributes = {"ident": str(ident), "type": item.type}
    if main.name == "interview_id":
        attributes["use"] = "serial"
    element = ET.SubElement(record, "variable", attributes)
    question = labels.questionnaire.question(main.question) \
        if item.type == "multiple" and main.question else None
    ET.SubElement(element, "name").text = question.id if question else main.name
    ET.SubElement(element, "label").text = labels.question(question) if question \
        else main.label
    ET.SubElement(element, "position", start=str(start), finish=str(start + item.width - 1))
    if item.type == "character":
        ET.SubElement(element, "size").text = str(item.width)
        return
    values = ET.SubElement(element, "values")
    if question is not None:
        for variable in item.variables:
            assert variable.option_code is not None
            ET.SubElement(values, "value", code=str(variable.option_code)).text = \
                labels.option(question, variable.option_code)
    elif item.type == "single":
        for code, text in main.values.items():
            ET.SubElement(values, "value", code=str(code)).text = text
    elif item.type == "quantity":
        low = item.low if isinstance(item.low, Decimal) else Decimal(0)
        high = item.high if isinstance(item.high, Decimal) else low
        ET.SubElement(values, "range", {"from": _quantity(low, item.decimals),
                                        "to": _quantity(high, item.decimals)})
        for code, text in main.values.items():
            ET.SubElement(values, "value", code=_quantity(Decimal(code), item.decimals)
                          ).text = text
    else:
        low_date = item.low if isinstance(item.low, dt.date) else dt.date(2000, 1, 1)
        high_date = item.high if isinstance(item.high, dt.date) else low_date
        ET.SubElement(values, "range", {"from": low_date.strftime("%Y%m%d"),
                                        "to": high_date.strftime("%Y%m%d")})
