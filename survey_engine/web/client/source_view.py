"""A file shown with its line numbers and each problem beside the line it was found on: a
questionnaire's loader diagnostics, a script's, a catalog's check problems. Problems of the
whole file (line 0) or past its end are listed on their own, before the source."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from survey_engine.errors import Diagnostic
from survey_engine.i18n.pofiles import Problem


@dataclass(frozen=True)
class Finding:
    """One problem: where (line, and column when known: 0 otherwise) and what."""

    line: int
    column: int
    message: str


@dataclass(frozen=True)
class SourceLine:
    number: int
    text: str
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class AnnotatedSource:
    """A file's lines with their findings, the findings of no line, and every finding in
    line order (for the summary above the source)."""

    name: str
    lines: tuple[SourceLine, ...]
    general: tuple[Finding, ...]
    findings: tuple[Finding, ...]


def annotate(name: str, text: str, findings: Iterable[Finding]) -> AnnotatedSource:
    """``text`` (the file called ``name``) with ``findings`` beside their lines."""
    ordered = sorted(findings, key=lambda found: (found.line, found.column))
    lines = text.splitlines() or [""]
    by_line: dict[int, list[Finding]] = defaultdict(list)
    general = []
    for found in ordered:
        if 1 <= found.line <= len(lines):
            by_line[found.line].append(found)
        else:
            general.append(found)
    return AnnotatedSource(
        name, tuple(SourceLine(number, line, tuple(by_line.get(number, ())))
                    for number, line in enumerate(lines, start=1)),
        tuple(general), tuple(ordered))


def of_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Finding]:
    """The loader's diagnostics (questionnaires, scripts) as findings."""
    return [Finding(d.line, d.column, d.message) for d in diagnostics]


def of_problems(problems: Iterable[Problem]) -> list[Finding]:
    """A catalog's check problems as findings (they know their line, not their column)."""
    return [Finding(p.line, 0, p.message) for p in problems]
