"""The expression parser: valid syntax becomes a tree, anything else the engine's own error."""

from __future__ import annotations

from decimal import Decimal

import pytest

from survey_engine.errors import ExpressionError
from survey_engine.expressions import ast, parse


def test_precedence_not_binds_tighter_than_and_than_or() -> None:
    tree = parse("not a or b and c")
    assert isinstance(tree, ast.BoolOp) and tree.op == "or"
    assert isinstance(tree.left, ast.Not)
    assert isinstance(tree.right, ast.BoolOp) and tree.right.op == "and"


def test_literals() -> None:
    tree = parse("x in [1, -2, 2.5, 'it''s', \"q\", yes, no, dont_know, refused]".replace(
        "'it''s'", r"'it\'s'"))
    assert isinstance(tree, ast.Membership)
    values = [item.value for item in tree.container.items]  # type: ignore[union-attr]
    assert values == [1, -2, Decimal("2.5"), "it's", "q", True, False, ast.DONT_KNOW,
                      ast.REFUSED]


def test_contact_fields_and_functions() -> None:
    tree = parse("contact.email != '' and count(brands) >= 2 and answered(age)")
    assert isinstance(tree, ast.BoolOp)
    assert parse("contact.email == ''").left == ast.ContactField("email", 0)  # type: ignore


def test_not_in() -> None:
    tree = parse("3 not in brands")
    assert isinstance(tree, ast.Membership) and tree.negated


@pytest.mark.parametrize(("text", "code", "offset"), [
    ("", "expression_empty", 0),
    ("a ==", "expression_syntax", 4),
    ("a = 3", "expression_syntax", 2),
    ("a == 3 )", "expression_syntax", 7),
    ("foo(x)", "unknown_function", 0),
    ("__import__('os')", "expression_syntax", 11),
    ("a.b == 1", "expression_syntax", 1),
    ("x" * 3000, "expression_too_long", 2000),
])
def test_syntax_errors_carry_code_and_offset(text: str, code: str, offset: int) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    assert caught.value.code == code
    assert caught.value.offset == offset


def test_deep_nesting_is_an_engine_error_not_a_crash() -> None:
    with pytest.raises(ExpressionError) as caught:
        parse("(" * 1500 + "a" + ")" * 1500)
    assert caught.value.code in ("expression_too_deep", "expression_too_long")
    deep = "not " * 400 + "a"
    try:
        parse(deep)
    except ExpressionError as error:
        assert error.code == "expression_too_deep"
