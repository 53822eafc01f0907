"""``{placeholders}`` in questionnaire texts: named only, no formatting code, no attributes.

Texts are parsed once at load time into literal pieces and names; rendering looks names
up in a resolver and never calls ``str.format`` (which could reach object attributes).
``{{`` and ``}}`` write literal braces.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

NAME = re.compile(r"(contact\.)?[a-z][a-z0-9_]*\Z")


class PlaceholderError(ValueError):
    """A text's braces are malformed, or name what the text may not pipe; ``offset`` is
    where (0-based), ``code`` the stable code of the problem."""

    def __init__(self, message: str, offset: int, code: str = "placeholder") -> None:
        super().__init__(message)
        self.offset = offset
        self.code = code


@dataclass(frozen=True)
class Template:
    """A text split into literal pieces and placeholder names (``None`` for literals).

    ``spots`` gives each placeholder's name and 0-based offset in the text, for messages.
    """

    pieces: tuple[tuple[str, str | None], ...]
    spots: tuple[tuple[str, int], ...] = field(default=(), compare=False)

    @property
    def names(self) -> frozenset[str]:
        return frozenset(name for _, name in self.pieces if name is not None)

    def render(self, resolve: Callable[[str], str]) -> str:
        """The text with every placeholder replaced by ``resolve(name)``."""
        return "".join(literal + (resolve(name) if name is not None else "")
                       for literal, name in self.pieces)


def parse_template(text: str) -> Template:
    """Split ``text`` into pieces.

    :raises PlaceholderError: the first problem: unbalanced braces, positional ``{}``, format
        specs, or names that are not ``question_id`` or ``contact.field``.
    """
    template, problems = scan_template(text)
    if problems:
        raise problems[0]
    return template


def scan_template(text: str) -> tuple[Template, list[PlaceholderError]]:
    """Split ``text`` into pieces, with every problem of its braces in text order.

    A malformed placeholder is left out of the template (kept as literal text when a brace
    is unbalanced), so the rest can still be checked.
    """
    pieces: list[tuple[str, str | None]] = []
    spots: list[tuple[str, int]] = []
    problems: list[PlaceholderError] = []
    literal: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char not in "{}":
            literal.append(char)
            index += 1
            continue
        if text.startswith(char * 2, index):
            literal.append(char)
            index += 2
            continue
        end = text.find("}", index + 1) if char == "{" else -1
        if end < 0 or "{" in text[index + 1:end]:
            problems.append(_unbalanced(char, text, index))
            literal.append(char)
            index += 1
            continue
        name = text[index + 1:end]
        problem = _malformed(name, index)
        if problem is not None:
            problems.append(problem)
        else:
            pieces.append(("".join(literal), name))
            spots.append((name, index))
            literal = []
        index = end + 1
    if literal:
        pieces.append(("".join(literal), None))
    return Template(tuple(pieces), tuple(spots)), problems


def _unbalanced(char: str, text: str, offset: int) -> PlaceholderError:
    """A brace without its partner (worded as Python's own format parser words it)."""
    if char == "}":
        problem = "Single '}' encountered in format string"
    elif "}" in text[offset:]:
        problem = "unexpected '{' in field name"
    else:
        problem = "expected '}' before end of string"
    return PlaceholderError(f"{problem}; write {{{{ and }}}} for literal braces", offset)


def _malformed(name: str, offset: int) -> PlaceholderError | None:
    """The problem of what stands between ``{`` and ``}``, or None for a plain name."""
    bare = re.split(r"[:!]", name, maxsplit=1)[0]
    if bare != name and NAME.match(bare):
        return PlaceholderError(f"{{{bare}}}: placeholders take no format or conversion",
                                offset)
    if not NAME.match(name):
        return PlaceholderError(f"{{{name}}} is not a placeholder: write {{question_id}} or "
                                "{contact.field}", offset)
    return None


def unknown_names(template: Template, allowed: Collection[str],
                  later: Collection[str] = ()) -> list[PlaceholderError]:
    """A problem for each placeholder (first use of a name) that ``allowed`` lacks.

    :param later: question ids that exist but are asked after the text, so that the message
        can say so; other names get a "did you mean" among ``allowed``.
    """
    problems: list[PlaceholderError] = []
    reported: set[str] = set()
    for name, offset in template.spots:
        if name in allowed or name in reported:
            continue
        reported.add(name)
        is_field = name.startswith("contact.")
        candidates = [n for n in allowed if n.startswith("contact.") == is_field]
        close = difflib.get_close_matches(name, candidates, n=1)
        hint = f" (did you mean {{{close[0]}}}?)" if close else ""
        if is_field:
            message = f"{{{name}}} is not a declared contact field{hint}"
        elif name in later:
            message = f"{{{name}}} is asked later; only earlier questions can be piped here"
        else:
            message = f"{{{name}}} is not an earlier question with an answer{hint}"
        problems.append(PlaceholderError(message, offset, "unknown_placeholder"))
    return problems
