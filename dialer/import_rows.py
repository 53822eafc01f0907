"""One row of a contact file checked on its own: a staging record for :mod:`dialer.importing`,
or a refusal with a stable reason.

A row is checked in this order, the first problem found refusing it: its shape (as many cells
as the header names, nothing under a column without heading), the number (against the
campaign's countries and number types), the language and, after the questionnaire's contact
fields, the time zone. Language and time zone follow :mod:`dialer.contact_rules`, the rules
:func:`dialer.contacts.add_contact` follows too: a ``time_zone`` given in the file must be one
of the number's zones, and a number whose country spans several zones needs one given.

Contact fields are returned in their stored (JSON) form: text as text, dates as ISO text
(``2024-05-31``), whole numbers as numbers and other numbers as decimal text (``"12.50"``,
exact), which :func:`survey_engine.questionnaire.contact.normalize` reads back to the same
values. An optional field with an empty cell is stored as ``""``; one without a column is not
stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from dialer.contact_rules import ContactRefused, contact_time_zone, interview_language
from dialer.import_files import Columns, Row, cell_text, filled, typed_cell
from dialer.models import Campaign
from dialer.phones import NumberRefused, check_number
from survey_engine.questionnaire.contact import ContactValueError, normalize
from survey_engine.questionnaire.model import ContactField

__all__ = ["RowChecker", "field_value"]


class RowChecker:
    """Each row of a file turned into a staging record or refused; the campaign's languages
    and number rules looked up once.

    :param columns: where the file's columns go (:func:`dialer.import_files.read_columns`).
    :param campaign: the campaign the rows are imported into (a detached instance will do).
    """

    def __init__(self, columns: Columns, campaign: Campaign) -> None:
        self.columns = columns
        self.languages: tuple[str, ...] = tuple(campaign.languages)
        self.number_rules: dict[str, Any] = {
            "allowed_countries": campaign.allowed_countries,
            "allowed_types": campaign.allowed_number_types,
            "default_country": campaign.allowed_countries[0]}

    def check(self, row: Row) -> dict[str, Any]:
        """The staging record of ``row``: line, ``phone_e164``, ``masked_number``, language,
        ``time_zone``, country and fields.

        :raises ContactRefused: ``bad_row``, a number's refusal reason (``invalid_number``,
            ``country``...), a :mod:`dialer.contact_rules` reason (``missing_language``,
            ``unknown_language``, ``unknown_time_zone``, ``time_zone_mismatch``,
            ``ambiguous_time_zone``), or a field's reason (see :func:`field_value`).
        """
        cells = self._cells(row)
        columns = self.columns
        try:
            number = check_number(cell_text(cells[columns.phone]), **self.number_rules)
        except NumberRefused as refused:
            raise ContactRefused(refused.reason, str(refused)) from None
        language = interview_language(cell_text(cells[columns.language]), self.languages)
        fields: dict[str, Any] = {}
        for name, index, declared in columns.fields:
            fields[name] = field_value(name, declared, cells[index])
        if columns.phone_field:
            fields["phone"] = number.e164
        given_zone = (None if columns.time_zone is None
                      else cell_text(cells[columns.time_zone]))
        return {"line": row.line, "phone_e164": number.e164, "masked_number": number.masked,
                "language": language, "time_zone": contact_time_zone(given_zone, number),
                "country": number.country, "fields": fields}

    def _cells(self, row: Row) -> Sequence[Any]:
        """The row's cells, refused (``bad_row``) if unreadable or not shaped as the header."""
        if row.problem:
            raise ContactRefused("bad_row", row.problem)
        cells = row.cells
        width = self.columns.width
        if len(cells) < width or any(map(filled, cells[width:])):
            raise ContactRefused("bad_row", f"{len(cells)} values for {width} columns")
        for index in self.columns.unnamed:
            if filled(cells[index]):
                raise ContactRefused("bad_row", f"a value in column {index + 1}, which has no "
                                                f"heading")
        return cells


def field_value(name: str, declared: ContactField, cell: Any) -> Any:
    """A contact field's stored (JSON) value from its cell.

    :param name: the field's name, prefixed to messages.
    :param declared: the field as the questionnaire declares it.
    :param cell: the cell, text (CSV) or a typed workbook value (XLSX).
    :raises ContactRefused: ``missing_field``, or the reason of :func:`normalize` (``pattern``,
        ``date``, ``email``...).
    """
    if not filled(cell):
        if declared.required:
            raise ContactRefused("missing_field", f"{name}: a value is required")
        return ""
    if type(cell) is not str:
        cell = typed_cell(declared, cell)
    try:
        value = normalize(declared, cell)
    except ContactValueError as error:
        message = str(error)
        raise ContactRefused(error.reason, message if message.startswith(f"{name}:")
                             else f"{name}: {message}") from None
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value
