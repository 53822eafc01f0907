"""Reading contact files row by row, whatever their format and encoding, in flat memory; their
header checked against a questionnaire's contact fields; their cells as text or typed values.

A CSV file (``.csv``, ``.txt``, ``.tsv``) is decoded as it is read: the encoding is read from a
byte-order mark, else from the first 256 KiB (strict UTF-8 first, then ``charset-normalizer``
among the code pages of the call centre's languages: West-European, Cyrillic, Turkish), and a
byte that does not decode later in the file refuses the file, naming its line. The delimiter is
one of ``,;\\t|``, sniffed from the same sample. An XLSX workbook is read from its first sheet,
its cells keeping their types (numbers, dates).

Rows come with their line number (CSV: the physical line where the record starts; XLSX: the
row number), the header being line 1 when the file starts with it. Blank rows are skipped.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import difflib
import logging
import re
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, NamedTuple
from zipfile import BadZipFile

from charset_normalizer import from_bytes

from dialer.errors import ImportRefused
from survey_engine.questionnaire.model import ContactField, Questionnaire

logger = logging.getLogger(__name__)

#: Columns every file may have besides the questionnaire's contact fields.
BASE_COLUMNS = ("phone", "language", "time_zone")
CSV_SUFFIXES = (".csv", ".txt", ".tsv")
XLSX_SUFFIXES = (".xlsx",)
DELIMITERS = ",;\t|"
#: How much of a CSV file the encoding and the delimiter are read from.
SAMPLE_BYTES = 256 * 1024
_CHUNK_BYTES = 64 * 1024
#: Single-byte code pages tried when a file is not UTF-8: West-European (English, Dutch, French,
#: Albanian), Cyrillic (Russian), Turkish.
_CODE_PAGES = ["cp1252", "cp1251", "cp1254"]
#: Bytes that are Turkish letters in cp1254 (Ğ İ Ş ğ ı ş) and Icelandic ones in cp1252.
_TURKISH_BYTES = re.compile(rb"[\xd0\xdd\xde\xf0\xfd\xfe]")
_BOMS = [(codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
         (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be")]
_TEXT_TYPES = ("text", "email", "phone")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)")
_NEWLINE = re.compile(r"\r\n|\r|\n")

Progress = Callable[[int], None]


class Row(NamedTuple):
    """One row of a contact file: its line, its cells, or why it could not be read."""

    line: int
    cells: Sequence[Any]
    problem: str = ""


@dataclass(frozen=True)
class Columns:
    """Where each column of a file goes: cell positions of phone, language and time zone, and
    ``(name, position, field)`` for each questionnaire contact field with a column."""

    width: int
    phone: int
    language: int
    time_zone: int | None
    fields: list[tuple[str, int, ContactField]]
    #: Columns without a heading (spreadsheet exports end rows with them); they must be empty.
    unnamed: list[int]
    #: Whether the questionnaire declares a ``phone`` field, to be given the dialed number.
    phone_field: bool


def check_file(path: Path) -> str:
    """The format of ``path``: ``"csv"`` or ``"xlsx"``.

    :raises ImportRefused: ``file_not_found`` or ``unknown_format``.
    """
    if not path.is_file():
        raise ImportRefused("file_not_found", f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return "csv"
    if suffix in XLSX_SUFFIXES:
        return "xlsx"
    raise ImportRefused("unknown_format", f"{path}: unknown file type {suffix or '(none)'!r}; "
                                          f"use {', '.join(CSV_SUFFIXES + XLSX_SUFFIXES)}")


def work_size(path: Path) -> int:
    """The total :func:`read_rows` reports progress against: the size in bytes of a CSV file,
    the row count of a workbook's first sheet (a progress bar's length).

    :raises ImportRefused: ``file_not_found`` or ``unknown_format``.
    """
    if check_file(path) == "csv":
        return path.stat().st_size
    workbook = _open_workbook(path)
    try:
        sheet = workbook.worksheets[0]
        return sheet.max_row or sum(1 for _ in sheet.iter_rows(values_only=True))
    finally:
        workbook.close()


def read_rows(path: Path, progress: Progress | None = None) -> Generator[Row, None, None]:
    """Every non-blank row of ``path``, header first; ``progress`` receives the work done
    since its last call (bytes or rows), adding up to :func:`work_size`.

    :raises ImportRefused: ``file_not_found``, ``unknown_format``, ``encoding`` (possibly
        after rows were given, naming the line) or ``empty_file``.
    """
    rows = _csv_rows(path, progress) if check_file(path) == "csv" else _xlsx_rows(path, progress)
    empty = True
    for row in rows:
        if row.problem or any(map(filled, row.cells)):
            empty = False
            yield row
    if empty:
        raise ImportRefused("empty_file", f"{path}: the file is empty")


def read_columns(path: Path, header: Row, questionnaire: Questionnaire) -> Columns:
    """The columns named by ``header`` (case and spaces ignored).

    :raises ImportRefused: ``duplicate_column``, ``unknown_column`` (with the closest known
        name) or ``missing_column`` (phone, language, or a required contact field).
    """
    names = ["" if cell is None else str(cell).strip().lower() for cell in header.cells]
    declared = {name.lower(): name for name in questionnaire.contact_fields}
    known = [*BASE_COLUMNS, *declared]
    repeated = sorted({name for name in names if name and names.count(name) > 1})
    if repeated:
        raise ImportRefused("duplicate_column", f"{path}: column(s) {', '.join(repeated)} "
                                                f"appear more than once")
    unknown = [name for name in names if name and name not in known]
    if unknown:
        hints = []
        for name in unknown:
            close = difflib.get_close_matches(name, known, n=1)
            hints.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise ImportRefused(
            "unknown_column", f"{path}: unknown column(s) {', '.join(hints)}; the columns are "
                              f"phone, language, time_zone and the contact fields of "
                              f"{questionnaire.slug}: {', '.join(declared) or 'none'}")
    fields = questionnaire.contact_fields
    required = [name for name, field in declared.items()
                if fields[field].required and name not in BASE_COLUMNS]
    missing = [name for name in ("phone", "language", *required) if name not in names]
    if missing:
        found = ", ".join(name for name in names if name) or "none"
        raise ImportRefused("missing_column", f"{path}: missing column(s) {', '.join(missing)};"
                                              f" found: {found}")
    return Columns(
        width=len(names), phone=names.index("phone"), language=names.index("language"),
        time_zone=names.index("time_zone") if "time_zone" in names else None,
        fields=[(declared[name], index, fields[declared[name]])
                for index, name in enumerate(names)
                if name in declared and name not in BASE_COLUMNS],
        unnamed=[index for index, name in enumerate(names) if not name],
        phone_field="phone" in fields)


def cell_text(cell: Any) -> str:
    """A cell as text: "" for none, whole numbers without ``.0`` (a phone typed as a number)."""
    if type(cell) is str:
        return cell
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def typed_cell(field: ContactField, cell: Any) -> Any:
    """A workbook cell as ``field``'s type expects it: numbers as text for text fields (a
    postcode typed as 1000), midnight date-times as dates (spreadsheets have no bare date)."""
    if field.type in _TEXT_TYPES and isinstance(cell, int | float) and not isinstance(
            cell, bool):
        return cell_text(cell)
    if field.type == "date" and isinstance(cell, dt.datetime) and cell.time() == dt.time(0):
        return cell.date()
    return cell


def filled(cell: Any) -> bool:
    """Whether a cell holds a value (not None, not blank text)."""
    return cell is not None and (type(cell) is not str or bool(cell.strip()))


def _csv_rows(path: Path, progress: Progress | None) -> Iterator[Row]:
    with path.open("rb") as binary:
        sample = binary.read(SAMPLE_BYTES)
        end = max(sample.rfind(b"\n"), sample.rfind(b"\r"))
        if len(sample) == SAMPLE_BYTES and end > 0:
            sample = sample[:end + 1]  # no character cut in two
        encoding, skip = detect_encoding(path, sample)
        binary.seek(skip)
        if progress and skip:
            progress(skip)
        text_sample = codecs.decode(sample[skip:], encoding, "ignore")
        reader = csv.reader(_text_lines(path, binary, encoding, progress),
                            delimiter=detect_delimiter(text_sample))
        while True:
            line = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                yield Row(line, [], f"unreadable CSV record: {error}")
                continue
            yield Row(line, cells)


def detect_encoding(path: Path, sample: bytes) -> tuple[str, int]:
    """The codec of a file starting with ``sample``, and how many bytes of byte-order mark
    to skip.

    :raises ImportRefused: ``encoding`` if the sample is not text in a known encoding.
    """
    for bom, codec in _BOMS:
        if sample.startswith(bom):
            return codec, len(bom)
    try:
        sample.decode("utf-8")
        return "utf-8", 0  # plain ASCII too: UTF-8 is the likeliest for the rest of the file
    except UnicodeDecodeError:
        pass
    best = from_bytes(sample, cp_isolation=_CODE_PAGES).best()
    if best is None:
        raise ImportRefused("encoding", f"{path}: not text in an encoding we can read; save "
                                        f"it as UTF-8 CSV or as an XLSX workbook")
    codec = codecs.lookup(best.encoding).name
    if codec in ("cp1252", "cp1254") and _TURKISH_BYTES.search(sample):
        try:
            sample.decode("cp1254")
            codec = "cp1254"
        except UnicodeDecodeError:
            pass
    logger.debug("%s: read as %s", path, codec)
    return codec, 0


def detect_delimiter(sample: str) -> str:
    """The delimiter of the CSV text ``sample``: sniffed among ``,;\\t|``, corrected to the
    one that makes ``phone`` a header cell when the sniffer guesses otherwise; comma when
    nothing tells."""
    lines = [line for line in sample.splitlines() if line.strip()][:50]
    if not lines:
        return ","
    try:
        sniffed = csv.Sniffer().sniff("\n".join(lines), delimiters=DELIMITERS).delimiter
    except csv.Error:
        sniffed = ","

    def names_phone(delimiter: str) -> bool:
        header = next(csv.reader([lines[0]], delimiter=delimiter), [])
        return "phone" in (cell.strip().lower() for cell in header)

    if names_phone(sniffed):
        return sniffed
    return next((delimiter for delimiter in DELIMITERS if names_phone(delimiter)), sniffed)


def _text_lines(path: Path, binary: IO[bytes], encoding: str,
                progress: Progress | None) -> Iterator[str]:
    """The physical lines of ``binary`` with their endings, decoded as read.

    :raises ImportRefused: ``encoding``, naming the line of the first byte that does not decode.
    """
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    pending = ""
    lines_done = 0
    while True:
        chunk = binary.read(_CHUNK_BYTES)
        try:
            pending += decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as error:
            head = codecs.decode(error.object[:error.start], encoding, "replace")
            line = lines_done + len(_NEWLINE.findall(pending + head)) + 1
            raise ImportRefused(
                "encoding", f"{path}, line {line}: not valid {encoding} text (the encoding "
                            f"read from the start of the file); save the file as UTF-8"
            ) from None
        if progress and chunk:
            progress(len(chunk))
        if not chunk:
            if pending:
                yield pending
            return
        # A final "\r" may be the first half of "\r\n": keep it for the next chunk.
        end = len(pending) - 1 if pending.endswith("\r") else len(pending)
        lines = _LINE.findall(pending, 0, end)
        consumed = sum(map(len, lines))
        pending = pending[consumed:]
        lines_done += len(lines)
        yield from lines


def _open_workbook(path: Path) -> Any:
    # openpyxl is loaded for workbooks only: every command would pay for it (0.4 s) otherwise.
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, KeyError, ValueError, OSError) as error:
        raise ImportRefused("unknown_format",
                            f"{path}: not a readable XLSX workbook ({error})") from None


def _xlsx_rows(path: Path, progress: Progress | None) -> Iterator[Row]:
    workbook = _open_workbook(path)
    try:
        sheet = workbook.worksheets[0]
        total = sheet.max_row  # from the sheet's dimension; None when it has none
        done = 0
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            if progress and (total is None or done < total):
                progress(1)
                done += 1
            yield Row(number, cells)
        if progress and total is not None and done < total:
            progress(total - done)
    finally:
        workbook.close()
