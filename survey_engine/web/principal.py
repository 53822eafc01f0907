"""Who is signed in for the current request: a :class:`Principal` read from the server-side
session the cookie names (:mod:`survey_engine.web.session_store`), or nobody."""

from __future__ import annotations

import datetime as dt
import logging
from contextlib import nullcontext
from dataclasses import dataclass

from flask import current_app, flash, g, request, session
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from dialer.db import transaction
from dialer.models import Agent, Role, Site, User, WebSession, utc_now
from survey_engine.web import session_store
from survey_engine.web.services import services

logger = logging.getLogger(__name__)
#: Key of the session token in the signed cookie.
TOKEN = "sid"


@dataclass(frozen=True)
class Principal:
    """A signed-in person: role, what they belong to, and how they are shown.

    ``site_id`` is a supervisor's or an agent's site, ``client_id`` a client's organisation.
    """

    role: Role
    session_id: int
    name: str
    language: str
    time_zone: str
    user_id: int | None = None
    agent_id: int | None = None
    site_id: int | None = None
    client_id: int | None = None

    @property
    def actor(self) -> str:
        """How this person is named in the call trace."""
        return f"{self.role.value}:{self.name}"


ROLE_LABELS = {Role.ADMIN: _l("administrator"), Role.SUPERVISOR: _l("supervisor"),
               Role.CLIENT: _l("client"), Role.AGENT: _l("agent")}


def role_label(role: Role) -> str:
    """A role in words, in the reader's language."""
    return str(ROLE_LABELS[role])


def current_principal() -> Principal | None:
    """The principal of the current request, or None when nobody is signed in."""
    principal: Principal | None = g.get("principal")
    return principal


def client_address() -> str:
    """The address the request comes from (behind ``PROXY_HOPS`` trusted proxies, the one
    they report)."""
    return request.remote_addr or ""


def load_principal() -> None:
    """Before each request: find the live session the cookie names, ending it if it timed
    out, its shift ended or it comes from another address."""
    g.principal = None
    token = session.get(TOKEN)
    if not isinstance(token, str):
        return
    engine = services().engine
    now = utc_now()
    idle = dt.timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    absolute = dt.timedelta(hours=current_app.config["SESSION_ABSOLUTE_HOURS"])
    with transaction(engine) as db:
        verdict = session_store.check_session(db, token, client_address(), now, idle,
                                              absolute)
        principal = _principal(db, verdict.row) if verdict.row is not None else None
    if verdict.end_reason is not None or verdict.touch:
        with transaction(services().writer) as db:
            session_store.apply(db, token, verdict, now)
    if verdict.end_reason is not None:
        logger.info("session %s ended: %s", verdict.row.id if verdict.row else "?",
                    verdict.end_reason)
        message = _ENDED.get(verdict.end_reason, _ENDED["expired"])
        with force_locale(principal.language) if principal else nullcontext():
            flash(str(message), "warning")  # in the language of the person signed out
    if principal is None or verdict.end_reason is not None:
        session.pop(TOKEN, None)
        return
    g.principal = principal


_ENDED = {
    "idle": _l("You were signed out after a while without activity."),
    "expired": _l("Your session has ended. Please sign in again."),
    "shift_end": _l("Your shift has ended: you were signed out."),
    "address_changed": _l("You were signed out: this session was opened from another "
                          "workstation."),
}


def _principal(db: Session, row: WebSession) -> Principal | None:
    if row.agent_id is not None:
        agent = db.get(Agent, row.agent_id)
        if agent is None or not agent.active:
            return None
        site = db.get(Site, agent.site_id)
        assert site is not None
        return Principal(Role.AGENT, row.id, agent.code, agent.interface_language,
                         site.time_zone, agent_id=agent.id, site_id=agent.site_id)
    user = db.get(User, row.user_id) if row.user_id is not None else None
    if user is None or not user.active:
        return None
    zone = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    if user.site_id is not None:
        site = db.get(Site, user.site_id)
        zone = site.time_zone if site is not None else zone
    return Principal(user.role, row.id, user.login, user.interface_language, zone,
                     user_id=user.id, site_id=user.site_id, client_id=user.client_id)
