"""ReadStat's row-by-row SPSS writer, reached through :mod:`ctypes`.

pyreadstat writes a ``.sav`` only from a whole data frame, so an export through it holds every
interview in memory. ReadStat, the C library under pyreadstat, writes one row at a time: the
header (variables, labels, missing values) first, then each row as it is given. Its public API
(``readstat.h``) is compiled into pyreadstat's writer extension and exported from it, so this
module declares the few functions an SPSS export needs, loads them from that extension (the
same ReadStat pyreadstat itself runs, no other library to install), and wraps them in
:class:`SavWriter`. Nothing of the file format is written here: ReadStat writes every byte.
"""

from __future__ import annotations

import ctypes
import enum
from typing import BinaryIO

import pyreadstat._readstat_writer as _extension

from results.errors import ResultsError


class Type(enum.IntEnum):
    """``readstat_type_t``: how a variable is stored."""

    STRING = 0
    DOUBLE = 5


class Measure(enum.IntEnum):
    """``readstat_measure_t``: SPSS's measurement levels."""

    NOMINAL = 1
    ORDINAL = 2
    SCALE = 3


_Pointer = ctypes.c_void_p
_Error = ctypes.c_int
#: ``readstat_data_writer``: ssize_t (*)(const void *data, size_t len, void *ctx).
_DATA_WRITER = ctypes.CFUNCTYPE(ctypes.c_ssize_t, ctypes.c_void_p, ctypes.c_size_t,
                                ctypes.c_void_p)

#: Name -> (result type, argument types), as declared in readstat.h.
_PROTOTYPES: dict[str, tuple[object, list[object]]] = {
    "readstat_writer_init": (_Pointer, []),
    "readstat_writer_free": (None, [_Pointer]),
    "readstat_set_data_writer": (_Error, [_Pointer, _DATA_WRITER]),
    "readstat_writer_set_file_label": (_Error, [_Pointer, ctypes.c_char_p]),
    "readstat_add_variable": (_Pointer, [_Pointer, ctypes.c_char_p, ctypes.c_int,
                                         ctypes.c_size_t]),
    "readstat_variable_set_label": (None, [_Pointer, ctypes.c_char_p]),
    "readstat_variable_set_format": (None, [_Pointer, ctypes.c_char_p]),
    "readstat_variable_set_measure": (None, [_Pointer, ctypes.c_int]),
    "readstat_variable_add_missing_double_value": (_Error, [_Pointer, ctypes.c_double]),
    "readstat_add_label_set": (_Pointer, [_Pointer, ctypes.c_int, ctypes.c_char_p]),
    "readstat_label_double_value": (None, [_Pointer, ctypes.c_double, ctypes.c_char_p]),
    "readstat_label_string_value": (None, [_Pointer, ctypes.c_char_p, ctypes.c_char_p]),
    "readstat_variable_set_label_set": (None, [_Pointer, _Pointer]),
    "readstat_begin_writing_sav": (_Error, [_Pointer, _Pointer, ctypes.c_long]),
    "readstat_validate_metadata": (_Error, [_Pointer]),
    "readstat_validate_variable": (_Error, [_Pointer, _Pointer]),
    "readstat_begin_row": (_Error, [_Pointer]),
    "readstat_insert_double_value": (_Error, [_Pointer, _Pointer, ctypes.c_double]),
    "readstat_insert_string_value": (_Error, [_Pointer, _Pointer, ctypes.c_char_p]),
    "readstat_insert_missing_value": (_Error, [_Pointer, _Pointer]),
    "readstat_end_row": (_Error, [_Pointer]),
    "readstat_end_writing": (_Error, [_Pointer]),
    "readstat_error_message": (ctypes.c_char_p, [_Error]),
}


def _load() -> ctypes.CDLL:
    library = ctypes.CDLL(_extension.__file__)
    for name, (result, arguments) in _PROTOTYPES.items():
        function = getattr(library, name)
        function.restype = result
        function.argtypes = arguments
    return library


_LIB = _load()


class SavWriter:
    """One ``.sav`` being written to an open binary file: declare the variables, then
    :meth:`begin` with the number of rows, :meth:`row` for each, and :meth:`end`.

    ReadStat checks the metadata when writing begins and the number of rows at the end;
    its refusals are raised as :class:`~results.errors.ResultsError` (``sav_write``).
    """

    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle
        self._failure: BaseException | None = None
        self._writer = _LIB.readstat_writer_init()
        # Kept referenced: ReadStat calls it back for as long as the writer lives.
        self._data_writer = _DATA_WRITER(self._write_bytes)
        self._variables: list[int] = []
        self._check(_LIB.readstat_set_data_writer(self._writer, self._data_writer))

    def close(self) -> None:
        """Free ReadStat's writer (the file itself is the caller's to close)."""
        if self._writer:
            _LIB.readstat_writer_free(self._writer)
            self._writer = None

    def __enter__(self) -> SavWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def file_label(self, label: str) -> None:
        self._check(_LIB.readstat_writer_set_file_label(self._writer, _utf8(label)))

    def add_variable(self, name: str, kind: Type, width: int, *, label: str,
                     measure: Measure, print_format: str | None = None,
                     value_labels: dict[float, str] | dict[str, str] | None = None,
                     missing: tuple[float, ...] = ()) -> None:
        """Declare the next column; ``width`` is a string's size in bytes (0 for numbers)."""
        variable = _LIB.readstat_add_variable(self._writer, _utf8(name), int(kind), width)
        _LIB.readstat_variable_set_label(variable, _utf8(label))
        _LIB.readstat_variable_set_measure(variable, int(measure))
        if print_format:
            _LIB.readstat_variable_set_format(variable, _utf8(print_format))
        if value_labels:
            label_set = _LIB.readstat_add_label_set(self._writer, int(kind),
                                                    _utf8(f"labels{len(self._variables)}"))
            for value, text in value_labels.items():
                if kind is Type.STRING:
                    _LIB.readstat_label_string_value(label_set, _utf8(str(value)), _utf8(text))
                else:
                    _LIB.readstat_label_double_value(label_set, float(value), _utf8(text))
            _LIB.readstat_variable_set_label_set(variable, label_set)
        for code in missing:
            self._check(_LIB.readstat_variable_add_missing_double_value(variable, code))
        self._variables.append(variable)

    def begin(self, rows: int) -> None:
        """Write the header; ``rows`` rows must follow."""
        self._check(_LIB.readstat_begin_writing_sav(self._writer, None, rows))
        self._check(_LIB.readstat_validate_metadata(self._writer))
        for variable in self._variables:
            self._check(_LIB.readstat_validate_variable(self._writer, variable))

    def row(self, cells: list[float | str | None]) -> None:
        """Write one row: a float for a number (NaN or None: system-missing), a str for a
        string variable."""
        self._check(_LIB.readstat_begin_row(self._writer))
        for variable, cell in zip(self._variables, cells, strict=True):
            if cell is None or (isinstance(cell, float) and cell != cell):
                self._check(_LIB.readstat_insert_missing_value(self._writer, variable))
            elif isinstance(cell, str):
                self._check(_LIB.readstat_insert_string_value(self._writer, variable,
                                                              _utf8(cell)))
            else:
                self._check(_LIB.readstat_insert_double_value(self._writer, variable, cell))
        self._check(_LIB.readstat_end_row(self._writer))

    def end(self) -> None:
        self._check(_LIB.readstat_end_writing(self._writer))

    def _write_bytes(self, data: int, length: int, _context: int) -> int:
        try:
            self._handle.write(ctypes.string_at(data, length))
        except BaseException as error:  # C cannot carry it: _check raises it again
            self._failure = error
            return -1
        return length

    def _check(self, code: int) -> None:
        if self._failure is not None:
            failure, self._failure = self._failure, None
            raise failure
        if code:
            message = _LIB.readstat_error_message(code).decode("utf-8", "replace")
            raise ResultsError("sav_write", f"ReadStat refused the SPSS file: {message}")


def _utf8(text: str) -> bytes:
    return text.encode("utf-8")
