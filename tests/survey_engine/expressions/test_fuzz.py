"""Fuzzing: any input either compiles or raises the engine's own error, never anything else;
and any expression that passes the checks evaluates without raising, whatever the answers."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey_engine.errors import ExpressionError
from survey_engine.expressions import (
    DONT_KNOW,
    MISSING,
    REFUSED,
    Expression,
    Kind,
    Scope,
    Symbol,
    check,
    parse,
)

SCOPE = Scope(
    questions={"q": Symbol(Kind.CHOICE, "q", frozenset({1, 2, 3}), frozenset({"dont_know"})),
               "m": Symbol(Kind.CODES, "m", frozenset({1, 2, 3})),
               "n": Symbol(Kind.NUMBER, "n"), "b": Symbol(Kind.BOOL, "b"),
               "t": Symbol(Kind.TEXT, "t"), "d": Symbol(Kind.DATE, "d")},
    contact_fields={"email": Symbol(Kind.TEXT, "contact.email")},
)

TOKENS = st.sampled_from([
    "q", "m", "n", "b", "t", "d", "'2015-06-01'", "contact.email", "contact", ".", "1", "2",
    "2.5", "-", "'x'",
    "''", '"y"', "yes", "no", "dont_know", "refused", "==", "!=", "<", "<=", ">", ">=", "and",
    "or", "not", "in", "(", ")", "[", "]", ",", "count(m)", "answered(q)", "count", "=",
    "__import__", "'", "\\", "\n", "\x00", "é", "1e5", "0x1",
])

VALUES = st.one_of(st.just(MISSING), st.just(DONT_KNOW), st.just(REFUSED), st.booleans(),
                   st.integers(-5, 5), st.decimals(allow_nan=False, allow_infinity=False,
                                                   places=2),
                   st.text(max_size=3), st.frozensets(st.integers(0, 4), max_size=3),
                   st.dates(), st.just("2015-06-01"))


def _compile_or_engine_error(text: str) -> Expression | None:
    try:
        tree = parse(text)
    except ExpressionError:
        return None
    if check(tree, SCOPE):
        return None
    return Expression(text, tree)


@settings(max_examples=1500, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=60))
def test_arbitrary_text_compiles_or_raises_engine_error(text: str) -> None:
    _compile_or_engine_error(text)


@settings(max_examples=1500, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TOKENS, max_size=14).map(" ".join),
       st.fixed_dictionaries({"q": VALUES, "m": VALUES, "n": VALUES, "b": VALUES,
                              "t": VALUES, "d": VALUES}),
       VALUES)
def test_token_soup_never_escapes_and_evaluation_never_raises(
        text: str, answers: dict[str, object], email: object) -> None:
    expression = _compile_or_engine_error(text)
    if expression is not None:
        expression.evaluate(answers, {"email": email})
        assert isinstance(expression.holds(answers, {"email": email}), bool)


def test_decimal_strategy_is_finite() -> None:
    assert Decimal("1.5").is_finite()
