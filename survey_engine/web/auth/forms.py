"""Sign-in forms (CSRF-protected, as every form)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Regexp


class StaffLoginForm(FlaskForm):
    """Supervisors, clients and administrators: login and password."""

    login = StringField(_l("Login"), validators=[DataRequired(), Length(max=60)],
                        render_kw={"autocomplete": "username", "autofocus": True})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})
    submit = SubmitField(_l("Sign in"))


class AgentLoginForm(FlaskForm):
    """Agents: their code and PIN."""

    code = StringField(_l("Agent code"), validators=[DataRequired(), Length(max=40)],
                       render_kw={"autocomplete": "username", "autofocus": True,
                                  "autocapitalize": "characters", "spellcheck": "false"})
    pin = PasswordField(_l("PIN"), validators=[DataRequired(), Length(max=12),
                                               Regexp(r"^[0-9]+$")],
                        render_kw={"autocomplete": "current-password",
                                   "inputmode": "numeric"})
    submit = SubmitField(_l("Sign in"))


class LogoutForm(FlaskForm):
    """The sign-out button on every page."""

    submit = SubmitField(_l("Sign out"))
