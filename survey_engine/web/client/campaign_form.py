"""The campaign a client creates, as a form: what a centre file's campaign entry may say,
except its priority (the centre's to set among all its clients) and ``start`` (a campaign
starts as a draft; supervisors start it).

The form is checked as a centre-file entry is: its values become an entry, validated by
:class:`dialer.centre_schema.CampaignSpec` (days and times of the windows, delays, codes) and
created by :func:`dialer.centre_file.campaign_of_spec`, whose refusals (an unknown country, a
language the questionnaire does not offer...) are shown on the field they concern.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from pydantic import ValidationError
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from dialer.campaigns import RETRY_NAMES
from dialer.centre_schema import CampaignSpec, week_clashes
from dialer.models import DialingMode, LanguageLevel
from dialer.models.campaigns import DEFAULT_NUMBER_TYPES
from dialer.phones import NUMBER_TYPES
from survey_engine.questionnaire.model import Questionnaire
from survey_engine.web.agent.answer_form import MultiCheckboxField
from survey_engine.web.agent.labels import language_name

#: The form field each refusal of :func:`dialer.campaigns.create_campaign` concerns, by code.
FIELD_OF_CODE = {"language": "languages", "country": "countries", "number_type": "number_types",
                 "window": "windows", "retry": "retry_delays", "max_attempts": "max_attempts",
                 "dialing_mode": "dialing_mode", "max_call_minutes": "max_call_minutes",
                 "no_answer_seconds": "no_answer_seconds",
                 "export_contact_fields": "export_contact_fields",
                 "questionnaire": "code"}
#: The form field of each key of a centre-file campaign entry.
FIELD_OF_KEY = {"countries": "countries", "number_types": "number_types", "windows": "windows",
                "retry_delays": "retry_delays", "code": "code", "name": "name",
                "languages": "languages"}
LEVELS = [SelectChoice(level.value, level.value) for level in LanguageLevel]
MODES = [SelectChoice(DialingMode.PROGRESSIVE.value,
                      _l("progressive: a call as soon as an agent is ready")),
         SelectChoice(DialingMode.PREVIEW.value,
                      _l("preview: the agent reads the case, then calls"))]


class CampaignForm(FlaskForm):
    code = StringField(_l("Code"), validators=[InputRequired(), Length(max=40)],
                       render_kw={"placeholder": "COFFEE-2026", "autocomplete": "off"})
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    languages = MultiCheckboxField(_l("Interview languages"), validate_choice=False)
    countries = StringField(_l("Countries called (ISO codes; the first reads national "
                               "numbers)"), validators=[InputRequired()],
                            render_kw={"placeholder": "BE, NL"})
    number_types = MultiCheckboxField(_l("Number types"), validate_choice=False,
                                      choices=[SelectChoice(kind, kind)
                                               for kind in sorted(NUMBER_TYPES)],
                                      default=list(DEFAULT_NUMBER_TYPES))
    windows = TextAreaField(_l("Calling windows, one a line, in the respondent's time"),
                            validators=[InputRequired()], default="Mon-Fri 09:00-21:00\n"
                            "Sat 10:00-18:00", render_kw={"rows": 4, "spellcheck": "false"})
    max_attempts = IntegerField(_l("Most calls per contact"), default=6,
                                validators=[InputRequired()])
    minimum_language_level = SelectField(_l("Lowest language level of the agents"),
                                         choices=LEVELS, default=LanguageLevel.FLUENT.value)
    skip_public_holidays = BooleanField(_l("No calls on the respondent's public holidays"),
                                        default=True)
    dialing_mode = SelectField(_l("Dialing"), choices=MODES,
                               default=DialingMode.PROGRESSIVE.value)
    max_call_minutes = IntegerField(_l("Longest call, in minutes"), default=30,
                                    validators=[InputRequired()])
    no_answer_seconds = IntegerField(_l("Ringing time before no answer, in seconds"),
                                     default=30, validators=[InputRequired()])
    retry_delays = TextAreaField(_l("Waits before calling again (optional), one a line"),
                                 render_kw={"rows": 3, "spellcheck": "false",
                                            "placeholder": "busy: 15m\nno_answer: 2h"})
    export_contact_fields = MultiCheckboxField(_l("Contact fields the exports carry"),
                                               validate_choice=False)
    submit = SubmitField(_l("Create the campaign (as a draft)"))


def campaign_form(questionnaire: Questionnaire) -> CampaignForm:
    """The form for a campaign fielding ``questionnaire`` (the request's, when it was sent):
    its languages to choose from, all chosen at first, and its contact fields that exports
    may carry (never a phone number)."""
    form = CampaignForm()
    form.languages.choices = [SelectChoice(code, language_name(code))
                              for code in questionnaire.languages]
    form.export_contact_fields.choices = [
        SelectChoice(name, name) for name, field in questionnaire.contact_fields.items()
        if field.type != "phone"]
    if not form.is_submitted():
        form.languages.data = list(questionnaire.languages)
    return form


def retry_names() -> str:
    """The readable retry keys, for the form's help."""
    return ", ".join(RETRY_NAMES)


def campaign_spec(form: CampaignForm, client_code: str, questionnaire_path: str
                  ) -> CampaignSpec | None:
    """The form as a checked centre-file campaign entry; None, with the problems on their
    fields, when it is not one."""
    entry = {
        "code": (form.code.data or "").strip(), "client": client_code,
        "name": (form.name.data or "").strip(), "questionnaire": questionnaire_path,
        "languages": list(form.languages.data or []),
        "countries": [part.strip().upper() for part in
                      (form.countries.data or "").replace(";", ",").split(",") if part.strip()],
        "number_types": list(form.number_types.data or []),
        "windows": _lines(form.windows.data),
        "max_attempts": form.max_attempts.data,
        "minimum_language_level": form.minimum_language_level.data,
        "skip_public_holidays": bool(form.skip_public_holidays.data),
        "dialing_mode": form.dialing_mode.data,
        "max_call_minutes": form.max_call_minutes.data,
        "no_answer_seconds": form.no_answer_seconds.data,
        "export_contact_fields": list(form.export_contact_fields.data or []),
    }
    delays = _delays(form)
    if delays is None:
        return None
    entry["retry_delays"] = delays
    try:
        spec = CampaignSpec.model_validate(entry)
    except ValidationError as error:
        for problem in error.errors():
            where = problem["loc"]
            name = FIELD_OF_KEY.get(str(where[0]), str(where[0])) if where else "code"
            if len(where) > 1 and isinstance(where[1], int):
                add_error(form, name, _line(where[1] + 1, problem["msg"]))
            elif len(where) > 1:
                add_error(form, name, f"{where[1]}: {problem['msg']}")
            else:
                add_error(form, name, problem["msg"])
        return None
    clashes = week_clashes("windows", spec.windows)
    for index, message in clashes:
        add_error(form, "windows", _line(index + 1, message))
    return None if clashes else spec


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _delays(form: CampaignForm) -> dict[str, str] | None:
    """``key: delay`` lines as a mapping; None, with the problem on the field, when a line
    is not one."""
    delays: dict[str, str] = {}
    for number, line in enumerate(_lines(form.retry_delays.data), start=1):
        key, colon, delay = line.partition(":")
        if not colon or not key.strip():
            add_error(form, "retry_delays",
                      _line(number, _("write 'name: delay', such as 'busy: 15m'")))
            return None
        delays[key.strip()] = delay.strip()
    return delays


def _line(number: int, problem: str) -> str:
    return str(_("line %(number)d: %(problem)s", number=number, problem=problem))


def add_error(form: FlaskForm, name: str, message: str) -> None:
    """Show ``message`` on the field ``name`` (on the code, for a field the form lacks)."""
    field = form._fields.get(name, form.code)
    field.errors = [*field.errors, message]
