"""The answer form of a question, built from its type, and what the agent submitted as the
interview engine takes it (the text typed at a keyboard, or don't know / refused).

Options are radio buttons (one answer) or check boxes (several), each with the key that picks
it (its code); an option that asks for details has a text field; numbers, dates, texts and
read-back values are typed. Don't know and refused are offered only where the question allows
them. The labels of the options are the respondent's language (they are read out); the
buttons are the agent's.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectMultipleField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from survey_engine.expressions import DONT_KNOW, REFUSED, Special
from survey_engine.i18n.messages import translations
from survey_engine.interview.engine import Prompt

ONE_OF = ("single_choice", "scale")
TYPED = ("number", "text", "date", "verify")
NPS_SCORES = range(11)


class MultiCheckboxField(SelectMultipleField):
    """Several options, as check boxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class _AnswerBase(FlaskForm):
    submit = SubmitField(_l("Next"))


def answer_form(prompt: Prompt, language: str, formdata: Any = None, prefix: str = ""
                ) -> FlaskForm:
    """The form for ``prompt``, asked in ``language`` (the respondent's); ``prefix`` keeps
    the fields of several forms on one page apart (the client portal's preview)."""
    fields: dict[str, Any] = {}
    heard = translations(language).gettext
    options = [SelectChoice(str(option.code), option.label) for option in prompt.options]
    if prompt.type in ONE_OF:
        fields["answer"] = RadioField(choices=options, validate_choice=False)
    elif prompt.type == "multi_choice":
        fields["answer"] = MultiCheckboxField(choices=options, validate_choice=False)
    elif prompt.type == "yes_no":
        fields["answer"] = RadioField(choices=[SelectChoice("1", heard("yes")),
                                               SelectChoice("2", heard("no"))],
                                      validate_choice=False)
    elif prompt.type == "nps":
        fields["answer"] = RadioField(choices=[SelectChoice(str(n), str(n)) for n in NPS_SCORES],
                                      validate_choice=False)
    elif prompt.type in TYPED:
        fields["answer"] = StringField(render_kw={"autocomplete": "off", "autofocus": True,
                                                  "lang": language})
    if any(option.specify for option in prompt.options):
        fields["specify"] = StringField(_l("Details"), render_kw={"autocomplete": "off",
                                                                   "lang": language})
    if "dont_know" in prompt.allow:
        fields["dont_know"] = SubmitField(_l("Don't know"))
    if "refused" in prompt.allow:
        fields["refused"] = SubmitField(_l("Refused"))
    form_class = type("AnswerForm", (_AnswerBase,), fields)
    if formdata is not None:
        return form_class(formdata=formdata, prefix=prefix)
    return form_class(prefix=prefix)


def submitted_answer(form: FlaskForm, prompt: Prompt) -> str | Special:
    """What the agent gave, as the interview engine reads a keyboard answer."""
    if "dont_know" in form and form["dont_know"].data:
        return DONT_KNOW
    if "refused" in form and form["refused"].data:
        return REFUSED
    if "answer" not in form:
        return ""  # an info text: it takes no answer
    value = form["answer"].data
    details = (form["specify"].data or "").strip() if "specify" in form else ""
    specified = {str(option.code) for option in prompt.options if option.specify}
    if isinstance(value, list):
        codes = sorted(value, key=lambda code: code in specified)  # details go with the last
        text = " ".join(codes)
        return f"{text}: {details}" if codes and codes[-1] in specified else text
    text = (value or "").strip()
    return f"{text}: {details}" if text in specified else text
