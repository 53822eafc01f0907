"""The expression tree: small immutable nodes, each knowing where it starts in the source.

``offset`` is the 0-based character position in the expression text, so that errors can
point at the offending name or literal inside a YAML value.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Name:
    """An earlier question, referred to by its id."""

    ident: str
    offset: int


@dataclass(frozen=True)
class ContactField:
    """``contact.<field>``: a field of the contact record."""

    field: str
    offset: int


@dataclass(frozen=True)
class Literal:
    """A constant: int, Decimal, str, bool, or a :class:`Special` answer."""

    value: int | Decimal | str | bool | Special
    offset: int


@dataclass(frozen=True)
class ListOf:
    """``[a, b, c]``: the right-hand side of ``in``."""

    items: tuple[Expr, ...]
    offset: int


@dataclass(frozen=True)
class Not:
    operand: Expr
    offset: int


@dataclass(frozen=True)
class BoolOp:
    """``and`` / ``or`` over two operands."""

    op: str
    left: Expr
    right: Expr
    offset: int


@dataclass(frozen=True)
class Compare:
    """``== != < <= > >=``."""

    op: str
    left: Expr
    right: Expr
    offset: int


@dataclass(frozen=True)
class Membership:
    """``x in y`` (``negated`` for ``not in``)."""

    element: Expr
    container: Expr
    negated: bool
    offset: int


@dataclass(frozen=True)
class Call:
    """``count(q)`` or ``answered(q)``."""

    function: str
    argument: Name
    offset: int


Expr = Name | ContactField | Literal | ListOf | Not | BoolOp | Compare | Membership | Call


class Special:
    """A special answer (``dont_know`` or ``refused``): equal only to itself, never ordered."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (special, (self.name,))


DONT_KNOW = Special("dont_know")
REFUSED = Special("refused")
SPECIALS = {"dont_know": DONT_KNOW, "refused": REFUSED}


def special(name: str) -> Special:
    """The singleton special answer called ``name``."""
    return SPECIALS[name]


class _Missing:
    """The value of a question that was not asked: every comparison with it is false."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING = _Missing()
