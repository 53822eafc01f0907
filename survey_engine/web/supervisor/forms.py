"""The supervisor desk's forms (CSRF-protected, WTForms validation, messages in the
supervisor's language). None has a field whose value reaches a dial string: an exclusion is a
block list, matched against numbers the dialer already has."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Regexp, ValidationError

from dialer.agent_settings import SKILL_NAME
from dialer.models import LanguageLevel

CLOCK = r"^([01]?\d|2[0-3]):[0-5]\d$|^24:00$"


class OneButton(FlaskForm):
    """A form of several buttons, exactly one of which must have been pressed."""

    buttons: tuple[str, ...] = ()

    def pressed(self) -> str | None:
        """The button pressed, or None."""
        chosen = [name for name in self.buttons if self[name].data]
        return chosen[0] if len(chosen) == 1 else None

    def validate(self, extra_validators: Any = None) -> bool:
        valid: bool = super().validate(extra_validators)
        if valid and self.pressed() is None:
            self.form_errors.append(str(_l("Press one of the buttons.")))
            return False
        return valid


class DialingForm(OneButton):
    """Stop all dialing (optionally hanging up the calls going on), or resume it."""

    buttons = ("stop", "resume")
    reason = StringField(_l("Reason"), validators=[Length(max=200)],
                         render_kw={"autocomplete": "off", "maxlength": 200})
    end_live_calls = BooleanField(_l("Also hang up the calls going on"))
    stop = SubmitField(_l("Stop all dialing"))
    resume = SubmitField(_l("Resume dialing"))


class CampaignForm(OneButton):
    """Start, pause or resume a campaign."""

    buttons = ("start", "pause", "resume")
    reason = StringField(_l("Reason"), validators=[Length(max=200)],
                         render_kw={"autocomplete": "off", "maxlength": 200})
    start = SubmitField(_l("Start"))
    pause = SubmitField(_l("Pause"))
    resume = SubmitField(_l("Resume"))


LEVEL_LABELS = {LanguageLevel.BASIC: _l("basic"), LanguageLevel.WORKING: _l("working"),
                LanguageLevel.FLUENT: _l("fluent"), LanguageLevel.NATIVE: _l("native")}


def languages_form(codes: list[tuple[str, str]], levels: dict[str, str],
                   formdata: Any = None) -> FlaskForm:
    """One level field per language of ``codes`` (code, name), "—" for not spoken; filled
    with the agent's ``levels`` unless ``formdata`` is given."""
    choices = [SelectChoice("", "—"),
               *(SelectChoice(level.value, label) for level, label in LEVEL_LABELS.items())]
    fields: dict[str, Field] = {
        f"level_{code}": SelectField(name, choices=choices, default=levels.get(code, ""))
        for code, name in codes}
    fields["save"] = SubmitField(_l("Save the languages"))
    form_class = type("LanguagesForm", (FlaskForm,), fields)
    form: FlaskForm = form_class(formdata=formdata) if formdata is not None else form_class()
    return form


def chosen_levels(form: FlaskForm, codes: list[tuple[str, str]]) -> dict[str, LanguageLevel]:
    """The levels a languages form gives, by language code (not spoken ones left out)."""
    return {code: LanguageLevel(form[f"level_{code}"].data) for code, _name in codes
            if form[f"level_{code}"].data}


def _skill_names(form: FlaskForm, field: Field) -> None:
    bad = [name for name in skill_list(field.data) if not SKILL_NAME.fullmatch(name)]
    if bad:
        raise ValidationError(_l("Skill names are lower-case letters, digits and “_”, "
                                 "starting with a letter: %(names)s", names=", ".join(bad)))


def skill_list(text: str | None) -> list[str]:
    """Skill names typed with spaces or commas between them."""
    return sorted(set((text or "").replace(",", " ").split()))


class SkillsForm(FlaskForm):
    skills = StringField(_l("Skills"), validators=[Length(max=400), _skill_names],
                         render_kw={"autocomplete": "off"})
    save = SubmitField(_l("Save the skills"))


def weekday_choices(name: Any) -> list[SelectChoice]:
    """The days of the week (0 = Monday), named by ``name(day)`` in the reader's language."""
    return [SelectChoice(day, name(day)) for day in range(7)]


class ShiftForm(FlaskForm):
    """A weekly shift in the site's local time."""

    weekday = SelectField(_l("Day"), coerce=int, choices=[], validators=[InputRequired()])
    start = StringField(_l("From"), validators=[DataRequired(), Regexp(
        CLOCK, message=_l("Write a time as HH:MM."))], render_kw={"placeholder": "HH:MM"})
    end = StringField(_l("To"), validators=[DataRequired(), Regexp(
        CLOCK, message=_l("Write a time as HH:MM."))], render_kw={"placeholder": "HH:MM"})
    add = SubmitField(_l("Add the shift"))


class RemoveShiftForm(FlaskForm):
    shift = IntegerField(validators=[InputRequired()])
    remove = SubmitField(_l("Remove"))


class ExclusionForm(FlaskForm):
    """A number or prefix the agent must never be connected to. The field is never shown
    again with what was typed in it."""

    number = StringField(_l("Number or prefix (international form: + and the country code)"),
                         validators=[DataRequired(), Length(max=40)],
                         render_kw={"autocomplete": "off", "spellcheck": "false"})
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=200)],
                         render_kw={"autocomplete": "off"})
    add = SubmitField(_l("Exclude"))


class CorrectionForm(FlaskForm):
    """The reason of a quality-control correction; the value comes from the question's own
    answer form (:func:`survey_engine.web.agent.answer_form.answer_form`)."""

    question = HiddenField(validators=[DataRequired()])
    reason = TextAreaField(_l("Reason for the correction"),
                           validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Record the correction"))
