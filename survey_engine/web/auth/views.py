"""The sign-in pages and sign-out (thin views over :mod:`survey_engine.web.auth.signin`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import nullcontext

from flask import current_app, flash, redirect, render_template, session, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers.response import Response

from dialer.db import transaction
from dialer.models import Role, utc_now
from survey_engine.web import session_store
from survey_engine.web.access import PUBLIC, allow, public
from survey_engine.web.auth import bp
from survey_engine.web.auth.forms import AgentLoginForm, StaffLoginForm
from survey_engine.web.auth.signin import SignInRefused, sign_in_agent, sign_in_user
from survey_engine.web.i18n import resolve
from survey_engine.web.principal import TOKEN, client_address, current_principal
from survey_engine.web.services import services
from survey_engine.web.session_store import Started
from survey_engine.web.throttle import Limits


def _limits() -> Limits:
    config = current_app.config
    return Limits(config["LOGIN_MAX_ACCOUNT_FAILURES"], config["LOGIN_MAX_ADDRESS_FAILURES"],
                  dt.timedelta(minutes=config["LOGIN_FAILURE_WINDOW_MINUTES"]))


def _absolute() -> dt.timedelta:
    return dt.timedelta(hours=current_app.config["SESSION_ABSOLUTE_HOURS"])


def _begin(started: Started) -> Response:
    """Regenerate the cookie session: nothing of the one before sign-in is kept (its CSRF
    token neither), only the new session's token."""
    session.clear()
    session[TOKEN] = started.token
    session.permanent = True
    return redirect(url_for("main.index"))


def _refusal(error: SignInRefused) -> tuple[str, int]:
    """The message and status of a refused sign-in, in the agent's language when known."""
    minutes = current_app.config["LOGIN_FAILURE_WINDOW_MINUTES"]
    with force_locale(resolve(error.language)) if error.language else nullcontext():
        messages = {
            "wrong": (_("Wrong sign-in details."), 401),
            "throttled": (_("Too many failed sign-ins. Try again in %(minutes)d minutes.",
                            minutes=minutes), 429),
            "workstation": (_("You cannot sign in from this workstation: it is not one of "
                              "your site's."), 403),
            "off_shift": (_("You are not on shift now: you can sign in during your shift "
                            "only."), 403),
        }
        return messages[error.code]


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> Response | tuple[str, int]:
    """Supervisors, clients and administrators sign in here."""
    form = StaffLoginForm()
    return _sign_in(form, "auth/login.html", lambda: sign_in_user(
        services().engine, form.login.data or "", form.password.data or "", client_address(),
        limits=_limits(), absolute=_absolute(), now=utc_now(), replacing=session.get(TOKEN)))


@bp.route("/agent/login", methods=["GET", "POST"])
@public
def agent_login() -> Response | tuple[str, int]:
    """Agents sign in here with their code and PIN, from a workstation of their site,
    during their shift."""
    form = AgentLoginForm()
    return _sign_in(form, "auth/agent_login.html", lambda: sign_in_agent(
        services().engine, form.code.data or "", form.pin.data or "", client_address(),
        limits=_limits(), absolute=_absolute(), now=utc_now(), replacing=session.get(TOKEN)))


def _sign_in(form: FlaskForm, template: str, attempt: Callable[[], Started]
             ) -> Response | tuple[str, int]:
    """The sign-in page, or the signed-in start when the form is sent and accepted."""
    if form.validate_on_submit():
        try:
            return _begin(attempt())
        except SignInRefused as error:
            message, status = _refusal(error)
            return render_template(template, form=form, error=message), status
    return render_template(template, form=form), 400 if form.is_submitted() else 200


@bp.post("/logout")
@allow(*PUBLIC)
def logout() -> Response:
    """End the session on the server and forget the cookie; an agent waiting for a call
    stops waiting (the dialer would otherwise dial for nobody)."""
    principal = current_principal()
    assert principal is not None
    token = session.get(TOKEN)
    if isinstance(token, str):
        with transaction(services().writer) as db:
            session_store.end_session(db, token, "logout", utc_now())
    if principal.agent_id is not None:  # gone: no call is dialed for them any more
        services().dispatcher.mark_away(principal.agent_id)
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.agent_login" if principal.role is Role.AGENT
                            else "auth.login"))
