"""RFC 8785 (JSON Canonicalization Scheme) bytes, fast for the plain JSON the trace writes.

Every trace event is hashed over its canonical form, about ten per call. The ``rfc8785``
package writes them token by token in Python; for a document made only of strings, integers
within 2**53, booleans, None, lists and objects with ASCII keys, the standard library's C
encoder (keys sorted, no spaces, no ASCII escaping) writes the very same bytes: RFC 8785
escapes exactly what ``json`` escapes (``"``, ``\\`` and the controls below U+0020, those as
lowercase ``\\u00xx`` except ``\\b \\f \\n \\r \\t``), and for ASCII keys UTF-16 order is code
point order. So do floats that are not whole numbers, from 1e-4 up to (not including) 1e16
in magnitude, such as a call's ``after_s`` (about one event per call): there Python's shortest
repr is already the ECMAScript form RFC 8785 asks for (``rfc8785`` itself starts from
``str(f)`` and only rewrites exponents, which Python uses below 1e-4 and from 1e16, and a
trailing ``.0``). Anything else (other floats, other key characters, other types, lone
surrogates) goes to ``rfc8785``, which also raises its errors.
``tests/dialer/test_canonical_json.py`` checks the two agree on generated documents.
"""

from __future__ import annotations

import json
from typing import Any

import rfc8785

_INT_MAX = 2**53 - 1
#: Where Python's float repr writes plain decimals, as ECMAScript does (module docstring).
_PLAIN_FLOATS = (1e-4, 1e16)
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode


def dumps(document: Any) -> bytes:
    """The RFC 8785 bytes of ``document``.

    :raises rfc8785.CanonicalizationError: (or ``TypeError``/``ValueError``, as
        ``rfc8785.dumps``) for what JSON cannot canonically hold.
    """
    if _plain(document):
        try:
            return _ENCODE(document).encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: rfc8785 refuses it
            pass
    return rfc8785.dumps(document)


def _plain(value: Any) -> bool:
    """Whether ``value`` holds only what the C encoder writes as RFC 8785 does."""
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return True
    if kind is int:
        return bool(-_INT_MAX <= value <= _INT_MAX)
    if kind is float:  # NaN and infinities fail the range test; from 2**53 all are whole
        low, high = _PLAIN_FLOATS
        return bool(low <= abs(value) < high and not value.is_integer())
    if kind is dict:
        return all(type(key) is str and key.isascii() and _plain(item)
                   for key, item in value.items())
    if kind is list or kind is tuple:
        return all(_plain(item) for item in value)
    return False
