"""Validate parts of a YAML document against pydantic specs, turning every violation into a
``FILE:LINE:COLUMN`` diagnostic that points at the offending key or value."""

from __future__ import annotations

import datetime as dt
import difflib
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from survey_engine.errors import Diagnostic
from survey_engine.questionnaire.source import Document, Path

M = TypeVar("M", bound=BaseModel)

_PLAIN_MESSAGES = {
    "int_type": "expected a whole number",
    "int_from_float": "expected a whole number",
    "string_type": "expected text",
    "bool_type": "expected true or false",
    "list_type": "expected a list",
    "dict_type": "expected a mapping (key: value lines)",
    "model_type": "expected a mapping (key: value lines)",
    "model_attributes_type": "expected a mapping (key: value lines)",
    "is_instance_of": "expected a number",
    "decimal_type": "expected a number",
    "finite_number": "expected a finite number",
}
_PATTERN_MESSAGES = {
    r"^[a-z][a-z0-9_]*$": "must be lower-case letters, digits and '_', starting with a letter",
    r"^[a-z0-9]+(-[a-z0-9]+)*$": "must be lower-case letters, digits and '-'",
}


#: Words that YAML 1.1 readers take for booleans (PyYAML leaves y and n as text, others do not).
_BOOLEAN_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false"}
_OPTION_LABEL = "the label must be text or a mapping (label:, fixed:, ...)"


def _yaml11_hint(document: Document, path: Path, value: Any) -> str:
    """Explain a value that YAML read as something else than the text that was meant."""
    written = document.plain_text(path)
    if written is None or isinstance(value, str):
        return ""
    if isinstance(value, bool) or value is None:
        meaning = "nothing (null)" if value is None else f"the boolean {str(value).lower()}"
        return f" (YAML 1.1 reads {written!r} as {meaning}; quote it: '{written}')"
    if isinstance(value, (dt.date, dt.datetime)):
        return f" (YAML reads {written!r} as a date; quote it: '{written}')"
    return ""


def _field(document: Document, path: Path) -> str:
    """How a message names the value at ``path``: ``min``, ``allow[1]``, ``option 2``."""
    if not path:
        return "value"
    if len(path) > 1 and isinstance(path[-1], int) and document.is_list(path[:-1]):
        return f"{path[-2]}[{path[-1]}]"
    if len(path) > 1 and path[-2] == "options":
        return f"option {path[-1]}"
    return str(path[-1])


#: Keys whose values are secrets (a centre file's passwords and PINs): never repeated in a
#: message.
SECRET_KEYS = frozenset({"password", "password_hash", "pin", "pin_hash"})


def _message(error: Any, document: Document, path: Path) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    field = _field(document, path)
    if kind == "literal_error":
        expected = ctx.get("expected", "")
        options = [part.strip(" '") for part in expected.replace(" or ", ",").split(",")]
        given = error.get("input")
        close = difflib.get_close_matches(str(given), options, n=1) if given is not None else []
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"{field}: {given!r} is not one of {expected}{hint}"
    if kind == "string_pattern_mismatch":
        pattern = ctx.get("pattern", "")
        rule = _PATTERN_MESSAGES.get(pattern, f"must match {pattern}")
        return f"{field}: {error.get('input')!r} {rule}"
    if kind in ("too_short", "string_too_short"):
        return f"{field}: must not be empty"
    if kind == "greater_than_equal":
        return f"{field}: must be at least {ctx.get('ge')}"
    text = _PLAIN_MESSAGES.get(kind, error["msg"])
    if kind == "model_type" and field.startswith("option "):
        text = _OPTION_LABEL
    given = error.get("input")
    if isinstance(given, (dict, list)) or (path and path[-1] in SECRET_KEYS):
        shown = ""
    elif isinstance(given, Decimal):  # a number as written, not Decimal('NaN')
        shown = f", got {document.plain_text(path) or given}"
    else:
        shown = f", got {given!r}"
    return f"{field}: {text}{shown}{_yaml11_hint(document, path, given)}"


def validate(document: Document, base: Path, data: Any, model: type[M],
             problems: list[Diagnostic]) -> M | None:
    """``data`` (found at ``base`` in ``document``) as ``model``, or None with problems added."""
    try:
        return TypeAdapter(model).validate_python(data)
    except ValidationError as failure:
        problems.extend(diagnostics(document, base, failure, model))
        return None


def diagnostics(document: Document, base: Path, failure: ValidationError,
                model: type[BaseModel]) -> list[Diagnostic]:
    """One diagnostic per pydantic error, positioned on the YAML node it concerns."""
    found: dict[tuple[Path, str], Diagnostic] = {}
    for error in failure.errors():
        loc = tuple(error["loc"])
        on_key = bool(loc) and loc[-1] == "[key]"
        path = (*base, *(loc[:-1] if on_key else loc))
        kind = error["type"]
        if kind == "extra_forbidden":
            name = str(loc[-1])
            allowed = _allowed_keys(model, loc[:-1])
            close = difflib.get_close_matches(name, allowed, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            message = f"unknown key {name!r}{hint}"
            diagnostic = document.diagnostic(path, message, "unknown_key", key=True)
        elif kind == "missing":
            message = f"missing key {str(loc[-1])!r}"
            diagnostic = document.diagnostic(path[:-1], message, "missing_key", key=True)
        elif on_key:
            path = (*path[:-1], error["input"])  # pydantic writes the key as text in loc
            diagnostic = _key_diagnostic(document, path, kind, error["msg"])
        else:
            diagnostic = document.diagnostic(path, _message(error, document, path), kind)
        if path not in document.broken:  # else the YAML layer has said what is wrong
            found.setdefault((path, diagnostic.message), diagnostic)
    return list(found.values())


def _key_diagnostic(document: Document, path: Path, kind: str, default: str) -> Diagnostic:
    """The diagnostic for a key of the wrong type (an option code that is not a number)."""
    written = document.plain_text(path, key=True)
    shown = written if written is not None else str(path[-1])
    message = f"{shown!r}: {_PLAIN_MESSAGES.get(kind, default)}"
    if kind == "int_type":
        message = f"option codes are whole numbers, not {shown!r}"
        if written is not None and written.lower() in _BOOLEAN_WORDS:
            message = (f"the key {shown!r} is read by YAML 1.1 as a boolean (like yes, no, on "
                       "and off); option codes are whole numbers")
            return document.diagnostic(path, message, "yaml11_key", key=True)
    return document.diagnostic(path, message, "invalid_key", key=True)


def _allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Keys the (possibly nested) model accepts at ``loc``, for "did you mean"."""
    current: Any = model
    for part in loc:
        if isinstance(part, int) or not (isinstance(current, type) and
                                         issubclass(current, BaseModel)):
            continue
        info = current.model_fields.get(str(part))
        if info is None:
            break
        current = _inner_model(info.annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _inner_model(annotation: Any) -> Any:
    """The BaseModel inside ``list[X]``, ``dict[K, X]``, ``X | None`` or ``Annotated[X, ...]``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or getattr(annotation, "__metadata__", ()):
        inner = _inner_model(arg)
        if inner is not None:
            return inner
    origin = getattr(annotation, "__origin__", None)
    if origin is not None and origin is not annotation:
        return _inner_model(origin)
    return None
