"""Administration of partner tokens in the browser, for administrators: the list (never a
secret), a form that issues a token and shows it once on the page it answers with (never in
a URL, a flash message or the session), and revocation. The same operations as
``survey-engine api token`` (:mod:`results.partner_tokens`)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers.response import Response
from wtforms import IntegerField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, NumberRange

from dialer.db import transaction
from dialer.errors import DialerError
from dialer.models import Campaign, Role, utc_now
from results.partner_tokens import (
    DEFAULT_DAYS,
    MAX_DAYS,
    NAME_LENGTH,
    issue_token,
    list_tokens,
    revoke_token,
    token_state,
)
from survey_engine.web.access import allow
from survey_engine.web.principal import current_principal
from survey_engine.web.services import services

bp = Blueprint("api_tokens", __name__, url_prefix="/admin/api-tokens")
STATES = {"active": _l("active"), "revoked": _l("revoked"), "expired": _l("expired")}


class TokenForm(FlaskForm):
    """A new token: what it is for, its campaigns, how long it lives."""

    name = StringField(_l("What the token is for"),
                       validators=[DataRequired(), Length(max=NAME_LENGTH)])
    campaigns = SelectMultipleField(_l("Campaigns it may read"), validators=[DataRequired()])
    days = IntegerField(_l("Valid for (days)"), default=DEFAULT_DAYS,
                        validators=[DataRequired(), NumberRange(1, MAX_DAYS)])
    submit = SubmitField(_l("Issue the token"))


class RevokeForm(FlaskForm):
    """Revoking a token (the form carries only its CSRF token)."""

    submit = SubmitField(_l("Revoke"))


def _actor() -> str:
    principal = current_principal()
    assert principal is not None
    return principal.actor


def _page(form: TokenForm, issued: str | None = None, status: int = 200
          ) -> tuple[str, int]:
    now = utc_now()
    with transaction(services().engine) as session:
        form.campaigns.choices = [(c.code, f"{c.code} · {c.name}") for c in session.scalars(
            select(Campaign).order_by(Campaign.code))]
        tokens = [(token.key, token.name, [c.code for c in token.campaigns], token.created_by,
                   token.created_at, token.expires_at, token.last_used_at,
                   token_state(token, now)) for token in list_tokens(session)]
    return render_template("api/tokens.html", form=form, tokens=tokens, issued=issued,
                           states=STATES, revoke=RevokeForm()), status


@bp.get("/")
@allow(Role.ADMIN)
def index() -> tuple[str, int]:
    """The tokens and the form to issue one."""
    return _page(TokenForm())


@bp.post("/")
@allow(Role.ADMIN)
def create() -> tuple[str, int]:
    """Issue a token and show it, this once."""
    form = TokenForm()
    with transaction(services().engine) as session:
        form.campaigns.choices = [(code, code) for code in session.scalars(
            select(Campaign.code))]
    if not form.validate_on_submit():
        return _page(form, status=422)
    try:
        with transaction(services().writer) as session:
            issued = issue_token(session, form.name.data or "",
                                 list(form.campaigns.data or []), _actor(), utc_now(),
                                 form.days.data or DEFAULT_DAYS)
            text = issued.text
    except DialerError as refused:  # e.g. a name with control characters
        form.name.errors = [*form.name.errors, refused.message]
        return _page(form, status=422)
    return _page(TokenForm(formdata=None), issued=text)


@bp.post("/<key>/revoke")
@allow(Role.ADMIN)
def revoke(key: str) -> Response:
    """Revoke a token; a key that names none is 404."""
    RevokeForm().validate_on_submit()  # CSRF was checked before the view; nothing else
    with transaction(services().writer) as session:
        revoke_token(session, key, _actor(), utc_now())
    flash(_("Token %(key)s revoked: it is refused from now on.", key=key), "info")
    return redirect(url_for("api_tokens.index"))
