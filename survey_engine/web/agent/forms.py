"""The console's forms (CSRF-protected): ready, pause, call, begin, back, and the end of a
call. None has a field for a phone number: calls are placed by attempt id only."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, Regexp

from dialer.outcomes import CallEnding


class ReadyForm(FlaskForm):
    submit = SubmitField(_l("Ready for a call"), render_kw={"autofocus": True})


class PauseForm(FlaskForm):
    submit = SubmitField(_l("Pause"))


class DialForm(FlaskForm):
    submit = SubmitField(_l("Call"), render_kw={"autofocus": True})


class BeginForm(FlaskForm):
    submit = SubmitField(_l("Begin the interview"), render_kw={"autofocus": True})


class BackForm(FlaskForm):
    submit = SubmitField(_l("Back one question"))


#: The endings an agent chooses (complete, screened out and quota full come from the
#: questionnaire itself), each with the key that picks it.
AGENT_ENDINGS = (
    (CallEnding.BREAK_OFF, _l("The respondent broke off")),
    (CallEnding.REFUSAL, _l("The respondent refuses the interview")),
    (CallEnding.APPOINTMENT, _l("Appointment: call back later")),
    (CallEnding.RESPONDENT_UNAVAILABLE, _l("The respondent is not available")),
    (CallEnding.LANGUAGE_PROBLEM, _l("Language problem")),
    (CallEnding.ASKED_NOT_TO_BE_CALLED, _l("Asks never to be called again")),
)


class EndCallForm(FlaskForm):
    """How the call ends. An appointment is given in the respondent's local time; a language
    problem names the language heard."""

    outcome = RadioField(_l("Outcome"), validate_choice=False,
                         choices=[SelectChoice(e.value, label) for e, label in AGENT_ENDINGS])
    #: Set instead of ``outcome`` when the questionnaire decided the ending.
    decided = HiddenField()
    appointment_date = StringField(_l("Date (respondent's time)"),
                                   validators=[Optional(), Regexp(r"^\d{4}-\d{2}-\d{2}$")],
                                   render_kw={"placeholder": "YYYY-MM-DD",
                                              "autocomplete": "off"})
    appointment_time = StringField(_l("Time (respondent's time)"),
                                   validators=[Optional(), Regexp(r"^\d{1,2}:\d{2}$")],
                                   render_kw={"placeholder": "HH:MM", "autocomplete": "off"})
    promise = BooleanField(_l("I will make this call myself"), default=True)
    spoken_language = SelectField(_l("Language heard"), choices=[], validate_choice=False)
    next_call = SubmitField(_l("End the call, then the next one"))
    pause = SubmitField(_l("End the call and pause"))
