"""``verify``: read a contact field back to the respondent, who confirms or corrects it.

Answers are ``{"confirmed": true}`` or ``{"corrected": value}``; a corrected value is checked
against the field's declared type (an e-mail must be an e-mail, a date a date...).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from survey_engine.expressions import Kind
from survey_engine.questionnaire.contact import ContactValueError, normalize
from survey_engine.questionnaire.model import ContactField, Question
from survey_engine.questionnaire.schema import VerifySpec
from survey_engine.questionnaire.types.base import AnswerContext, QuestionType, Reporter, register

_KIND_OF_FIELD = {"text": Kind.TEXT, "email": Kind.TEXT, "phone": Kind.TEXT,
                  "date": Kind.DATE, "number": Kind.NUMBER}


@register
class Verify(QuestionType):
    name = "verify"
    kind = Kind.TEXT
    spec = VerifySpec

    def check(self, question: Question, contact_fields: Mapping[str, ContactField],
              report: Reporter) -> None:
        field = contact_fields.get(question.spec.field)
        if field is not None and field.type == "phone":
            report(("field",), f"{question.spec.field!r} is a phone number: agents never see "
                   "nor type one, so it cannot be verified here (ask a yes_no question that "
                   "pipes it; it is shown masked)", "verify_phone_forbidden")
        if field is None:
            known = ", ".join(sorted(contact_fields)) or "none declared"
            report(("field",), f"verify names the contact field {question.spec.field!r}, which "
                   f"is not declared in contact_fields (declared: {known})",
                   "unknown_contact_field")

    def validate(self, question: Question, value: Any, context: AnswerContext) -> Any:
        if isinstance(value, Mapping) and set(value) == {"confirmed"} and \
                value["confirmed"] is True:
            return {"confirmed": True}
        if not (isinstance(value, Mapping) and set(value) == {"corrected"}):
            raise context.refuse(context.gettext("Please confirm the value or give the "
                                                 "correct one."))
        field = context.contact_fields[question.spec.field]
        try:
            corrected = normalize(field, value["corrected"])
        except ContactValueError as error:
            raise context.refuse(_refusal(error.reason, context)) from None
        if corrected == "":
            raise context.refuse(context.gettext("Please give the correct value."))
        return {"corrected": corrected if isinstance(corrected, str) else str(corrected)}

    def parse_text(self, question: Question, text: str, context: AnswerContext) -> Any:
        """At a keyboard: Enter or 1 confirms the value read back; anything else is the
        correction."""
        typed = text.strip()
        return {"confirmed": True} if typed in ("", "1") else {"corrected": typed}

    def value_of(self, question: Question, stored: Any, context: AnswerContext) -> Any:
        """The value now on file: the contact's own when confirmed, else the correction,
        read back into the field's type (a corrected date is a date)."""
        name = question.spec.field
        if "corrected" not in stored:
            return context.contact.get(name, "")
        return normalize(context.contact_fields[name], stored["corrected"])

    def pipe(self, question: Question, stored: Any, context: AnswerContext) -> str:
        """The value now on file, written as a contact value of its type."""
        return context.contact_value(question.spec.field,
                                     self.value_of(question, stored, context))


def _refusal(reason: str, context: AnswerContext) -> str:
    messages = {
        "email": context.gettext("This is not a valid e-mail address."),
        "phone": context.gettext("This is not a valid phone number."),
        "date": context.gettext("This is not a valid date."),
        "number": context.gettext("This is not a valid number."),
    }
    return messages.get(reason, context.gettext("This value does not have the expected form."))


def field_kind(field: ContactField) -> Kind:
    """The expression kind of a contact field's values."""
    return _KIND_OF_FIELD[field.type]
