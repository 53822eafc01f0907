"""``{placeholders}`` in questionnaire texts: named only, no formatting code, no attributes.

Texts are parsed once at load time into literal pieces and names; rendering looks names
up in a resolver and never calls ``str.format`` (which could reach object attributes).
``{{`` and ``}}`` write literal braces.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from string import Formatter

NAME = re.compile(r"(contact\.)?[a-z][a-z0-9_]*\Z")


class PlaceholderError(ValueError):
    """A text's braces are malformed; ``offset`` is where."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


@dataclass(frozen=True)
class Template:
    """A text split into literal pieces and placeholder names (``None`` for literals)."""

    pieces: tuple[tuple[str, str | None], ...]

    @property
    def names(self) -> frozenset[str]:
        return frozenset(name for _, name in self.pieces if name is not None)

    def render(self, resolve: Callable[[str], str]) -> str:
        """The text with every placeholder replaced by ``resolve(name)``."""
        return "".join(literal + (resolve(name) if name is not None else "")
                       for literal, name in self.pieces)


def parse_template(text: str) -> Template:
    """Split ``text`` into pieces.

    :raises PlaceholderError: for unbalanced braces, positional ``{}``, format specs, or names
        that are not ``question_id`` or ``contact.field``.
    """
    try:
        parsed = list(Formatter().parse(text))
    except ValueError as error:
        raise PlaceholderError(f"{error}; write {{{{ and }}}} for literal braces",
                               _first_brace(text)) from None
    pieces: list[tuple[str, str | None]] = []
    for literal, name, spec, conversion in parsed:
        if name is None:
            pieces.append((literal, None))
            continue
        offset = text.find("{" + name)
        if spec or conversion:
            raise PlaceholderError(f"{{{name}}}: placeholders take no format or conversion",
                                   max(offset, 0))
        if not NAME.match(name):
            shown = "{" + name + "}"
            raise PlaceholderError(f"{shown} is not a placeholder: write {{question_id}} or "
                                   "{contact.field}", max(offset, 0))
        pieces.append((literal, name))
    return Template(tuple(pieces))


def _first_brace(text: str) -> int:
    positions = [p for p in (text.find("{"), text.find("}")) if p >= 0]
    return min(positions) if positions else 0
