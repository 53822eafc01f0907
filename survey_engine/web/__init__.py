"""The web application: agent console, supervisor desk, client portal and administration.

:func:`create_app` builds it (nothing is built at import time). Extensions are created
unbound in :mod:`survey_engine.web.extensions` and bound here; each area is a blueprint
(``auth``, ``agent``, ``supervisor``, ``client``, ``admin``, ``main``, and the partner
API, ``api``); every route declares
its roles and object checks through :func:`survey_engine.web.access.allow`. docs/web.md
describes the whole.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Response
from werkzeug.middleware.proxy_fix import ProxyFix

from dialer.config import instance_dir
from dialer.telephony.registry import configured_backend
from survey_engine.i18n.paths import locales_dir
from survey_engine.web import access, errors, i18n, principal
from survey_engine.web.config import secret_key, web_settings
from survey_engine.web.extensions import CONTENT_SECURITY_POLICY, babel, csrf, talisman
from survey_engine.web.services import EXTENSION, build_services
from survey_engine.web.uploads import LimitedRequest

logger = logging.getLogger(__name__)

INSECURE_COOKIES_WARNING = (
    "session cookies are sent without the Secure flag (secure_cookies = false): use this "
    "only for plain http on loopback, never on a network")


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """A new application. ``config`` overrides the instance settings
    (:mod:`survey_engine.web.config`): e.g. ``SURVEY_DATABASE_URL``, ``SECURE_COOKIES``,
    ``SURVEY_TELEPHONY`` (a telephony backend object, instead of the configured one),
    ``SECRET_KEY``, ``TESTING``."""
    given = dict(config or {})
    instance = Path(given.get("SURVEY_INSTANCE") or instance_dir())
    app = Flask(__name__, instance_path=str(instance), instance_relative_config=False)
    app.config.update(web_settings(instance))
    app.config.update(
        BABEL_DEFAULT_LOCALE="en", BABEL_DOMAIN="messages",
        BABEL_TRANSLATION_DIRECTORIES=str(locales_dir()),
        BABEL_DEFAULT_TIMEZONE="Europe/Brussels",
        SESSION_COOKIE_NAME="survey_session", SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict", WTF_CSRF_TIME_LIMIT=None,
        MAX_CONTENT_LENGTH=2 * 1024 * 1024)
    app.config.update(given)
    app.request_class = LimitedRequest
    app.config.setdefault("MAX_CONTACTS_UPLOAD",
                          app.config["MAX_CONTACTS_UPLOAD_MB"] * 1024 * 1024)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key(instance)
    app.config["PERMANENT_SESSION_LIFETIME"] = dt.timedelta(
        hours=app.config["SESSION_ABSOLUTE_HOURS"])
    secure = bool(app.config["SECURE_COOKIES"])
    app.config["SESSION_COOKIE_SECURE"] = secure
    if not secure:
        logger.warning(INSECURE_COOKIES_WARNING)
    if app.config["PROXY_HOPS"]:
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]

    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale,
                   timezone_selector=i18n.select_timezone)
    talisman.init_app(app, force_https=False, content_security_policy=CONTENT_SECURITY_POLICY,
                      frame_options="DENY", strict_transport_security=secure,
                      referrer_policy="no-referrer", session_cookie_secure=secure,
                      session_cookie_http_only=True, session_cookie_samesite="Strict",
                      permissions_policy={"camera": "()", "microphone": "()",
                                          "geolocation": "()"})
    backend = app.config.get("SURVEY_TELEPHONY") or configured_backend(instance)
    app.extensions[EXTENSION] = build_services(app.config["SURVEY_DATABASE_URL"], backend)

    app.before_request(access.refuse_undeclared)
    app.before_request(principal.load_principal)
    app.after_request(_no_store)
    errors.register_error_pages(app)
    _register_blueprints(app)
    app.jinja_env.globals["interface_language"] = i18n.interface_language
    app.jinja_env.globals["current_principal"] = principal.current_principal
    app.jinja_env.globals["role_label"] = principal.role_label
    return app


def _register_blueprints(app: Flask) -> None:
    from survey_engine.web import api
    from survey_engine.web.admin import bp as admin
    from survey_engine.web.agent import bp as agent
    from survey_engine.web.auth import bp as auth
    from survey_engine.web.client import bp as client
    from survey_engine.web.main import bp as main
    from survey_engine.web.supervisor import bp as supervisor

    for blueprint in (main, auth, agent, supervisor, client, admin):
        app.register_blueprint(blueprint)
    api.init_app(app)


def _no_store(response: Response) -> Response:
    """Pages are never kept by the browser or a proxy: an agent's screen shows the call of
    the moment, and nothing of it stays on the workstation."""
    if not response.headers.get("Cache-Control"):
        response.headers["Cache-Control"] = "no-store"
    return response
