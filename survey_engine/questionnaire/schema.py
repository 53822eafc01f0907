"""The shape of a questionnaire file, as pydantic models.

These models say which keys exist and what type each value has; pydantic reports every
violation with its path, which :mod:`~survey_engine.questionnaire.loader` turns into
``FILE:LINE:COLUMN`` diagnostics. Rules that need more than one value (an expression's names,
duplicate ids, ``min`` above ``max``...) are checked by the loader afterwards.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    StringConstraints,
)

IDENT_PATTERN = r"^[a-z][a-z0-9_]*$"
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
Ident = Annotated[StrictStr, Field(pattern=IDENT_PATTERN)]
Slug = Annotated[StrictStr, Field(pattern=SLUG_PATTERN)]
Text = Annotated[StrictStr, StringConstraints(strip_whitespace=True, min_length=1)]
EndOutcome = Literal["refusal", "screened_out", "quota_full"]
#: How an interview ends: completed, or by an end_if or a full quota.
Outcome = Literal["complete", "refusal", "screened_out", "quota_full"]
SpecialName = Literal["dont_know", "refused"]


def _number(value: Any) -> Any:
    """YAML ints and floats become exact decimals; anything else is left to fail."""
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    return value


Number = Annotated[Decimal, BeforeValidator(_number)]


class Strict(BaseModel):
    """Unknown keys are errors; values are never silently converted."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True,
                              arbitrary_types_allowed=True)


def _option(value: Any) -> Any:
    return {"label": value} if isinstance(value, str) else value


class OptionSpec(Strict):
    label: Text
    exclusive: StrictBool = False
    fixed: StrictBool = False
    specify: StrictBool = False


Option = Annotated[OptionSpec, BeforeValidator(_option)]


class ContactFieldSpec(Strict):
    type: Literal["text", "date", "email", "phone", "number"]
    required: StrictBool = True
    pattern: StrictStr | None = None


class SpecialCodes(Strict):
    dont_know: StrictInt = 98
    refused: StrictInt = 99


class QuotaSpec(Strict):
    id: Ident
    when: Text
    max_completes: Annotated[StrictInt, Field(ge=0)]


class QuestionnaireSpec(Strict):
    """The top level of a questionnaire file. ``questions`` are validated one by one."""

    questionnaire: Slug
    version: Annotated[StrictInt, Field(ge=1)]
    title: Text
    source_language: StrictStr
    languages: Annotated[list[StrictStr], Field(min_length=1)]
    special_codes: SpecialCodes = SpecialCodes()
    contact_fields: dict[Ident, ContactFieldSpec] = {}
    intro: Text | None = None
    closing: Text | None = None
    questions: Annotated[list[Any], Field(min_length=1)]
    quotas: list[QuotaSpec] = []


class QuestionSpec(Strict):
    """Keys every question type has."""

    id: Ident
    type: StrictStr
    text: Text
    show_if: Text | None = None
    end_if: Text | None = None
    end_outcome: EndOutcome | None = None
    allow: list[SpecialName] = []


class ChoiceSpec(QuestionSpec):
    options: Annotated[dict[StrictInt, Option], Field(min_length=1)]
    randomize: StrictBool = False


class MultiChoiceSpec(ChoiceSpec):
    min_selected: Annotated[StrictInt, Field(ge=0)] = 1
    max_selected: Annotated[StrictInt, Field(ge=1)] | None = None


class NumberSpec(QuestionSpec):
    integer: StrictBool = False
    min: Number | None = None
    max: Number | None = None


class TextSpec(QuestionSpec):
    max_length: Annotated[StrictInt, Field(ge=1)] | None = None


class VerifySpec(QuestionSpec):
    field: Ident


class InfoSpec(Strict):
    """An info question is read out and takes no answer, so it has no ``allow``/``end_if``."""

    id: Ident
    type: StrictStr
    text: Text
    show_if: Text | None = None
