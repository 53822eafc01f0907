"""Texts cut to a byte budget without ever cutting a letter in half.

SPSS stores labels as UTF-8 bytes with fixed budgets (a value label is cut at 120 bytes: 60
Cyrillic letters, 40 Georgian ones); a cut in the middle of a character leaves invalid UTF-8,
and a cut between a letter and its combining accent changes the letter. Texts are shortened on
purpose instead: normalized to NFC, cut between user-perceived characters (extended grapheme
clusters, by the ``regex`` module's ``\\X``), and ended with an ellipsis.
"""

from __future__ import annotations

import unicodedata

import regex

ELLIPSIS = "…"
_GRAPHEME = regex.compile(r"\X")


def byte_length(text: str) -> int:
    """The length of ``text`` in UTF-8 bytes."""
    return len(text.encode("utf-8"))


def shorten(text: str, limit: int) -> str:
    """``text`` in NFC, whole if it fits in ``limit`` UTF-8 bytes; else its longest start
    made of whole characters that fits with an ellipsis after it.

    :param limit: the budget in bytes, at least 4 (an ellipsis and one more byte).
    """
    if limit < byte_length(ELLIPSIS) + 1:
        raise ValueError(f"a budget of {limit} bytes cannot hold a shortened text")
    text = unicodedata.normalize("NFC", text)
    if byte_length(text) <= limit:
        return text
    budget = limit - byte_length(ELLIPSIS)
    kept: list[str] = []
    used = 0
    for cluster in _GRAPHEME.findall(text):
        size = byte_length(cluster)
        if used + size > budget:
            break
        kept.append(cluster)
        used += size
    return "".join(kept).rstrip() + ELLIPSIS
