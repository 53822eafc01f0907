"""Errors of the survey engine: each carries a stable code and a human message.

Tests assert on ``code``; the CLI maps every :class:`EngineError` to one clear line and
exit status 1 (see :mod:`survey_engine.cli`).
"""

from __future__ import annotations

from dataclasses import dataclass


class EngineError(Exception):
    """Base class: a stable machine-readable ``code`` and a human ``message``."""

    code = "engine_error"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem in a source file, reported as ``FILE:LINE:COLUMN: message``.

    ``line`` and ``column`` are 1-based; 0 means "the whole file".
    """

    file: str
    line: int
    column: int
    message: str
    code: str = "invalid"

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        """The diagnostic as plain JSON-ready data (for ``--json`` output)."""
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "message": self.message,
        }


class QuestionnaireError(EngineError):
    """A questionnaire file could not be loaded; ``diagnostics`` lists every problem found."""

    code = "questionnaire_invalid"

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = sorted(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))


class ExpressionError(EngineError):
    """An expression does not parse or names something it may not. ``offset`` is 0-based."""

    code = "expression_invalid"

    def __init__(self, message: str, offset: int = 0, code: str | None = None) -> None:
        super().__init__(message, code)
        self.offset = offset


class CatalogError(EngineError):
    """A translation catalog is missing, stale or incomplete for fielding."""

    code = "catalog_invalid"

    def __init__(self, message: str, missing: list[str] | None = None,
                 code: str | None = None) -> None:
        super().__init__(message, code)
        self.missing = missing or []


class InterviewError(EngineError):
    """An interview was driven wrongly (answering a finished interview, bad state...)."""

    code = "interview_invalid"


class ScriptError(EngineError):
    """A scripted-interview file is malformed; ``diagnostics`` lists every problem."""

    code = "script_invalid"

    def __init__(self, message: str, diagnostics: list[Diagnostic] | None = None) -> None:
        super().__init__(message)
        self.diagnostics = sorted(diagnostics or [])
