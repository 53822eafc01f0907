"""Parse expression text into an :mod:`~survey_engine.expressions.ast` tree.

A real LALR parser (Lark); nothing here ever reaches Python's ``eval``. Any input either
parses or raises :class:`~survey_engine.errors.ExpressionError`.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken
from lark.tree import Meta

from survey_engine.errors import ExpressionError
from survey_engine.expressions import ast

MAX_LENGTH = 2000
FUNCTIONS = frozenset({"count", "answered"})
KEYWORDS = frozenset({"and", "or", "not", "in", "yes", "no", "dont_know", "refused", "contact"})

_TOKEN_NAMES = {
    "NAME": "a name", "NUMBER": "a number", "STRING": "a 'string'", "COMPARATOR": "a comparison",
    "LPAR": "'('", "RPAR": "')'", "LSQB": "'['", "RSQB": "']'", "COMMA": "','", "DOT": "'.'",
    "MINUS": "'-'", "$END": "the end",
}


@lru_cache(maxsize=1)
def _lark() -> Lark:
    grammar = resources.files(__package__).joinpath("grammar.lark").read_text("utf-8")
    return Lark(grammar, parser="lalr", propagate_positions=True, maybe_placeholders=False)


def _offset(item: object) -> int:
    if isinstance(item, Token):
        return item.start_pos or 0
    meta = getattr(item, "meta", None)
    if meta is not None and not meta.empty:
        return int(meta.start_pos)
    return int(getattr(item, "offset", 0))


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text[1:-1])


@v_args(meta=True)
class _ToAst(Transformer[Token, ast.Expr]):
    """Turn Lark's parse tree into our own immutable nodes."""

    def or_(self, meta: Meta, children: list[Any]) -> ast.Expr:
        return ast.BoolOp("or", children[0], children[1], meta.start_pos)

    def and_(self, meta: Meta, children: list[Any]) -> ast.Expr:
        return ast.BoolOp("and", children[0], children[1], meta.start_pos)

    def not_(self, meta: Meta, children: list[Any]) -> ast.Expr:
        return ast.Not(children[0], meta.start_pos)

    def compare(self, meta: Meta, children: list[Any]) -> ast.Expr:
        left, op, right = children
        return ast.Compare(str(op), left, right, _offset(op))

    def in_(self, meta: Meta, children: list[Any]) -> ast.Expr:
        return ast.Membership(children[0], children[1], False, meta.start_pos)

    def not_in(self, meta: Meta, children: list[Any]) -> ast.Expr:
        return ast.Membership(children[0], children[1], True, meta.start_pos)

    def name(self, meta: Meta, children: list[Any]) -> ast.Expr:
        (token,) = children
        return ast.Name(str(token), token.start_pos)

    def contact_field(self, meta: Meta, children: list[Any]) -> ast.Expr:
        (token,) = children
        return ast.ContactField(str(token), meta.start_pos)

    def call(self, meta: Meta, children: list[Any]) -> ast.Expr:
        function, argument = children
        if str(function) not in FUNCTIONS:
            known = ", ".join(sorted(FUNCTIONS))
            raise ExpressionError(f"unknown function {function}() (known: {known})",
                                  function.start_pos, "unknown_function")
        return ast.Call(str(function), ast.Name(str(argument), argument.start_pos),
                        meta.start_pos)

    def list_(self, meta: Meta, children: list[Any]) -> ast.Expr:
        return ast.ListOf(tuple(c for c in children if c is not None), meta.start_pos)

    def number(self, meta: Meta, children: list[Any]) -> ast.Expr:
        return ast.Literal(_number(children[0]), meta.start_pos)

    def negative(self, meta: Meta, children: list[Any]) -> ast.Expr:
        return ast.Literal(-_number(children[0]), meta.start_pos)

    def string(self, meta: Meta, children: list[Any]) -> ast.Expr:
        return ast.Literal(_unquote(str(children[0])), meta.start_pos)

    def yes(self, meta: Meta, children: list[Any]) -> ast.Expr:
        return ast.Literal(True, meta.start_pos)

    def no(self, meta: Meta, children: list[Any]) -> ast.Expr:
        return ast.Literal(False, meta.start_pos)

    def dont_know(self, meta: Meta, children: list[Any]) -> ast.Expr:
        return ast.Literal(ast.DONT_KNOW, meta.start_pos)

    def refused(self, meta: Meta, children: list[Any]) -> ast.Expr:
        return ast.Literal(ast.REFUSED, meta.start_pos)


def _number(token: Token) -> int | Decimal:
    text = str(token)
    return Decimal(text) if "." in text else int(text)


def _describe_unexpected(error: UnexpectedInput, text: str) -> str:
    if isinstance(error, UnexpectedCharacters):
        return f"unexpected character {text[error.pos_in_stream or 0]!r}"
    if isinstance(error, UnexpectedEOF):
        return "the expression ends too early"
    if isinstance(error, UnexpectedToken):
        if error.token.type == "$END":
            return "the expression ends too early"
        expected = sorted({_TOKEN_NAMES.get(name, repr(name.lower())) for name in error.expected
                           if not name.startswith("__")})
        hint = f"; expected {', '.join(expected[:6])}" if expected else ""
        return f"unexpected {error.token.value!r}{hint}"
    return "syntax error"  # pragma: no cover - Lark raises only the classes above


def parse(text: str) -> ast.Expr:
    """Parse ``text`` into an expression tree.

    :raises ExpressionError: on any syntax error, with the 0-based ``offset`` of the problem.
    """
    if not isinstance(text, str):
        raise ExpressionError("an expression must be text", 0, "expression_type")
    if not text.strip():
        raise ExpressionError("the expression is empty", 0, "expression_empty")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the expression is longer than {MAX_LENGTH} characters",
                              MAX_LENGTH, "expression_too_long")
    try:
        tree = _lark().parse(text)
        return _ToAst().transform(tree)
    except UnexpectedInput as error:
        offset = getattr(error, "pos_in_stream", None)
        at_end = isinstance(error, UnexpectedEOF) or (
            isinstance(error, UnexpectedToken) and error.token.type == "$END")
        if offset is None or offset < 0 or at_end:
            offset = len(text)
        raise ExpressionError(_describe_unexpected(error, text), offset,
                              "expression_syntax") from None
    except RecursionError:
        raise ExpressionError("the expression is nested too deeply", 0,
                              "expression_too_deep") from None
    except Exception as error:  # Lark wraps errors raised inside the transformer
        inner = getattr(error, "orig_exc", None)
        if isinstance(inner, ExpressionError):
            raise inner from None
        if isinstance(inner, RecursionError):
            raise ExpressionError("the expression is nested too deeply", 0,
                                  "expression_too_deep") from None
        raise
