"""The portal's forms (CSRF-protected): questionnaire, catalog, script and contact uploads,
and the preview's sample contact. The campaign form is :mod:`.campaign_form`."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import ValidationError

from survey_engine.questionnaire.model import Questionnaire


class QuestionnaireUploadForm(FlaskForm):
    """A questionnaire file; an administrator also says whose it is."""

    client = SelectField(_l("Client"), coerce=int)
    file = FileField(_l("Questionnaire file (YAML)"),
                     validators=[FileRequired(_l("Choose a questionnaire file."))])
    submit = SubmitField(_l("Upload and check"))


class CatalogUploadForm(FlaskForm):
    """A translated catalog (.po) for one of the questionnaire's languages."""

    language = SelectField(_l("Language"))
    file = FileField(_l("Translated catalog (.po)"),
                     validators=[FileRequired(_l("Choose a catalog file.")),
                                 FileAllowed(["po"], _l("A catalog is a .po file."))])
    submit = SubmitField(_l("Check and accept"))


class ScriptForm(FlaskForm):
    """Scripted interviews, uploaded or pasted, and the language to run them in."""

    language = SelectField(_l("Language of the interviews"))
    file = FileField(_l("Script file (YAML)"))
    text = TextAreaField(_l("or paste the script here"),
                         render_kw={"rows": 14, "spellcheck": "false"})
    submit = SubmitField(_l("Run the interviews"))

    def validate_text(self, field: Any) -> None:
        if not (field.data or "").strip() and not self.file.data:
            raise ValidationError(_l("Upload a script file or paste a script."))


class ContactsForm(FlaskForm):
    """A contact file (CSV or XLSX) to import into a campaign."""

    file = FileField(_l("Contact file (CSV or XLSX)"),
                     validators=[FileRequired(_l("Choose a contact file.")),
                                 FileAllowed(["csv", "txt", "tsv", "xlsx"],
                                             _l("A contact file is CSV or XLSX."))])
    submit = SubmitField(_l("Import the contacts"))


def sample_contact_form(questionnaire: Questionnaire, defaults: dict[str, str],
                        formdata: Any) -> FlaskForm:
    """A field per contact field of the questionnaire, for the values the preview pipes
    (sent with the page's address: it changes nothing, so it carries no token)."""
    fields: dict[str, Any] = {name: StringField(name, default=defaults.get(name, ""))
                              for name in questionnaire.contact_fields}
    fields["submit"] = SubmitField(_l("Show with these values"))
    form_class = type("SampleContactForm", (FlaskForm,), fields)
    form: FlaskForm = form_class(formdata=formdata or None, prefix="contact",
                                 meta={"csrf": False})
    return form
