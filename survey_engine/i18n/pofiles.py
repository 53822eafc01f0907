"""Reading and writing ``.po``/``.pot`` files: a file Babel cannot parse becomes one located
error (``FILE:LINE: message``) instead of a traceback, and writes are atomic.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import PoFileError, read_po, write_po

from survey_engine.errors import CatalogError


@dataclass(frozen=True)
class Problem:
    """One reason a catalog is not ready, located in its ``.po`` file (line 0: the whole
    file)."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def label(message: Message) -> str:
    """How problems name an entry: ``[context] 'source text'``."""
    msgid = message.id[0] if isinstance(message.id, tuple) else message.id
    context = f"[{message.context}] " if message.context else ""
    return f"{context}{msgid!r}"


class UnreadableCatalogError(CatalogError):
    """A ``.po`` or ``.pot`` file is malformed; ``path`` and ``line`` (1-based, 0 for the
    whole file) say where, ``reason`` what Babel found."""

    code = "catalog_unreadable"

    def __init__(self, path: Path, line: int, reason: str) -> None:
        super().__init__(f"{path}:{line}: cannot read catalog: {reason}")
        self.path = path
        self.line = line
        self.reason = reason

    @property
    def problem(self) -> Problem:
        """The error as a located problem, for ``i18n check``."""
        return Problem(self.path, self.line, f"cannot read catalog: {self.reason}")


def read_catalog(path: Path, language: str | None = None) -> Catalog:
    """Parse the catalog at ``path`` (``language`` as a BCP 47 code, for its plural rule).

    :raises UnreadableCatalogError: if the file is not a well-formed catalog (an entry cut
        short, an unknown keyword, bytes not in the declared charset...).
    """
    locale = language.replace("-", "_") if language else None
    with path.open("rb") as handle:
        try:
            return read_po(handle, locale=locale, abort_invalid=True)
        except PoFileError as error:
            reason = str(error).removesuffix(f" on {error.lineno}")
            raise UnreadableCatalogError(path, error.lineno + 1, reason) from None
        except UnicodeDecodeError as error:
            raise UnreadableCatalogError(path, _line_of(path, error.object), str(error)
                                         ) from None
        except ValueError as error:  # e.g. msgstr[x]: Babel's int() fails
            raise UnreadableCatalogError(path, 0, str(error)) from None


def _line_of(path: Path, fragment: bytes) -> int:
    """The 1-based line where ``fragment`` (the line Babel failed to decode) starts; 0 if
    not found."""
    data = path.read_bytes()
    offset = data.find(fragment)
    return data.count(b"\n", 0, offset) + 1 if offset >= 0 else 0


def write_catalog(path: Path, catalog: Catalog) -> None:
    """Write ``catalog`` to ``path`` atomically: a failure never leaves a half-written file."""
    temporary = path.with_suffix(path.suffix + ".tmp")
    with temporary.open("wb") as handle:
        write_po(handle, catalog, width=100, sort_output=False, omit_header=False,
                 include_previous=True)
    temporary.replace(path)
