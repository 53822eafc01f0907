"""Whether a translation keeps the placeholders of its source text.

Questionnaire texts use ``{name}`` placeholders and are judged by the questionnaire's own
parser (:func:`~survey_engine.questionnaire.placeholders.parse_template`), exactly as the
interview will render them: a renamed placeholder (whose value would silently go missing) and
malformed braces (a stray ``}`` that would crash the interview) are both faults. The
product's ``messages`` domain uses ``%(name)s`` placeholders instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from survey_engine.questionnaire.placeholders import PlaceholderError, parse_template

PERCENT = re.compile(r"%\(([a-z_]+)\)[sd]")
_LOOSE_BRACE = re.compile(r"(?<!\{)\{([^{}]+)\}")


@dataclass(frozen=True)
class PlaceholderFault:
    """Why a translation's placeholders do not fit its source: ``syntax`` says what is
    malformed, else the names differ (``expected`` in the source, ``found`` in the
    translation)."""

    expected: frozenset[str]
    found: frozenset[str] = frozenset()
    syntax: str | None = None
    shape: str = "{%s}"

    @property
    def detail(self) -> str:
        """What is wrong, without the kind of fault."""
        if self.syntax is not None:
            return self.syntax
        return f"source has {self._shown(self.expected)}, translation has " \
               f"{self._shown(self.found)}"

    def __str__(self) -> str:
        kind = "malformed braces" if self.syntax is not None else "placeholders differ"
        return f"{kind}: {self.detail}"

    def _shown(self, names: frozenset[str]) -> str:
        return ", ".join(self.shape % name for name in sorted(names)) or "none"


def brace_names(text: str) -> frozenset[str]:
    """The ``{placeholder}`` names of a questionnaire text (a malformed source, such as a
    hand-edited template, is read leniently)."""
    try:
        return parse_template(text).names
    except PlaceholderError:
        return frozenset(_LOOSE_BRACE.findall(text))


def brace_fault(expected: frozenset[str], translation: str) -> PlaceholderFault | None:
    """The fault of a questionnaire translation whose source has placeholders ``expected``;
    None when it renders with exactly those."""
    try:
        found = parse_template(translation).names
    except PlaceholderError as error:
        return PlaceholderFault(expected, syntax=f"{error} (at character {error.offset + 1})")
    return None if found == expected else PlaceholderFault(expected, found)


def percent_fault(source: str, translation: str) -> PlaceholderFault | None:
    """The fault of a ``messages`` translation whose ``%(name)s`` set differs from the
    source's; None when they match."""
    expected, found = frozenset(PERCENT.findall(source)), frozenset(PERCENT.findall(translation))
    return None if found == expected else PlaceholderFault(expected, found, shape="%%(%s)")
