"""The trace's canonical JSON writes the bytes ``rfc8785`` writes, for every document: plain
ones through the fast path (floats of plain decimal form included), the rest (other floats,
non-ASCII keys, lone surrogates, integers past 2**53, other types) through ``rfc8785`` itself,
which refuses the same documents."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from dialer import canonical_json
from dialer.errors import DialerError
from dialer.trace import Entry, canonical_form

#: Any code point, surrogates and controls included.
_ANY_TEXT = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF, categories=None),
                    max_size=12)
#: Floats on and around the edges of the fast path's range (1e-4 and 1e16), whole or not,
#: and durations as the telephony writes them (seconds, three decimals).
_EDGE_FLOATS = (st.sampled_from([1e-4, 1e16, 0.0, 5e-324, 9999999999999998.0, 0.5, 3.0])
                .flatmap(lambda edge: st.sampled_from([
                    edge, math.nextafter(edge, 0), math.nextafter(edge, math.inf), -edge]))
                | st.floats(1e-5, 1e-3) | st.floats(1e15, 1e17)
                | st.integers(0, 10**7).map(lambda millis: round(millis / 1000, 3)))
_SCALARS = (st.none() | st.booleans() | _ANY_TEXT | st.text(max_size=12)
            | st.integers(-(2**53) + 1, 2**53 - 1) | st.integers()
            | st.floats(allow_nan=True, allow_infinity=True) | _EDGE_FLOATS)
_KEYS = st.text(max_size=6) | _ANY_TEXT | st.sampled_from(["a", "B", "é", "\U0001f600", "\uffff"])
_DOCUMENTS = st.recursive(
    _SCALARS, lambda inner: (st.lists(inner, max_size=4)
                             | st.lists(inner, max_size=3).map(tuple)
                             | st.dictionaries(_KEYS, inner, max_size=4)
                             | st.dictionaries(st.integers(0, 3), inner, max_size=2)),
    max_leaves=12)


def _outcome(function: Any, document: Any) -> tuple[str, Any]:
    try:
        return "bytes", function(document)
    except Exception as error:  # the same refusal, whichever way it was found
        return "error", type(error)


@settings(max_examples=1000, deadline=None)
@given(_DOCUMENTS)
def test_the_same_bytes_or_the_same_refusal_as_rfc8785(document: Any) -> None:
    assert _outcome(canonical_json.dumps, document) == _outcome(rfc8785.dumps, document)


#: Ids and positions: plain ones, and what the envelope's shortcut must leave to rfc8785.
_IDS = (st.none() | st.integers(1, 10**6) | st.integers() | st.booleans()
        | st.sampled_from([2**53 - 1, 2**53, -(2**53) + 1]))
_NAMES = _ANY_TEXT | st.sampled_from(["answer_given", "agent:NL01", "%s", "é\u2028\"x\\"])


@settings(max_examples=500, deadline=None)
@given(st.dictionaries(st.text(max_size=8), _DOCUMENTS, max_size=5), _NAMES, _NAMES,
       _IDS, _IDS, _IDS, _IDS, _IDS,
       st.datetimes(timezones=st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=-5))])))
def test_an_events_canonical_form_is_rfc8785(data: dict[str, Any], kind: str, actor: str,
                                             campaign: Any, seq: Any, contact: Any,
                                             attempt: Any, interview: Any,
                                             at: dt.datetime) -> None:
    entry = Entry(kind, actor, at, contact, attempt, interview, data)
    document = {"campaign": campaign, "seq": seq, "kind": kind, "actor": actor,
                "at": at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
                "contact": contact, "attempt": attempt, "interview": interview, "data": data}
    try:
        expected = rfc8785.dumps(document)
    except (rfc8785.CanonicalizationError, TypeError, ValueError):
        with pytest.raises(DialerError) as refused:
            canonical_form(campaign, seq, entry)
        assert refused.value.code == "trace_data"
    else:
        assert canonical_form(campaign, seq, entry) == expected


@pytest.mark.parametrize("document", [
    {"b": 1, "a": [True, None, "x\u2028\x7f\x00\x1f\"\\"], "c": {}},
    {"\U0001f600": 1, "\uffff": 2},  # UTF-16 order differs from code point order here
    [1.0, 0.1, 1e21, 1e-7, -0.0, 2**53 - 1],
    "\ud800",
])
def test_known_differences_of_json_are_left_to_rfc8785(document: Any) -> None:
    assert _outcome(canonical_json.dumps, document) == _outcome(rfc8785.dumps, document)


@settings(max_examples=2000, deadline=None)
@given(_EDGE_FLOATS)
def test_floats_near_the_edges_of_the_fast_path_are_written_as_rfc8785_writes_them(
        number: float) -> None:
    document = {"after_s": number, "values": [number, -number]}
    assert canonical_json.dumps(document) == rfc8785.dumps(document)
