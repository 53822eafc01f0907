"""The one access rule of the web application: every route declares the roles it serves and,
when it names an object, the check that the object is the principal's own.

    @bp.get("/agents/<int:agent_id>")
    @allow(Role.SUPERVISOR, Role.ADMIN, owns=agent_of_site)
    def agent(agent_id: int) -> str: ...

:func:`allow` runs before the view: nobody signed in is sent to the sign-in page (a request
for a page) or refused with 401; a principal of another role gets 403; an object that does
not exist, or is someone else's, gets 404 — the same answer, so ids cannot be probed. The
ownership checks (:func:`agent_of_site`, :func:`campaign_of_client`, :func:`attempt_of_agent`)
read the database and raise :class:`werkzeug.exceptions.NotFound`.

A view without :func:`allow` (or :func:`public`) is refused with 403 by
:func:`refuse_undeclared`, and the access-control matrix test fails for it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from flask import current_app, redirect, request, url_for
from sqlalchemy.orm import Session
from werkzeug.exceptions import Forbidden, NotFound, Unauthorized

from dialer.db import transaction
from dialer.interview_review import interview_sites
from dialer.models import (
    Agent,
    Attempt,
    Campaign,
    ClientQuestionnaire,
    ContactImport,
    Role,
)
from survey_engine.web.principal import Principal, current_principal
from survey_engine.web.services import services

F = TypeVar("F", bound=Callable[..., Any])
#: An ownership check: (database session, principal, the route's arguments); raises NotFound.
Ownership = Callable[[Session, Principal, Mapping[str, Any]], None]
#: The attribute :func:`allow` and :func:`public` set on a view.
ROLES = "allowed_roles"
PUBLIC: frozenset[Role] = frozenset(Role)
#: Endpoints Flask itself adds, open to everyone.
BUILT_IN_PUBLIC = frozenset({"static"})


def allow(*roles: Role, owns: Ownership | None = None) -> Callable[[F], F]:
    """Let only signed-in principals of ``roles`` run the view, after ``owns`` has checked
    the objects the route names."""
    allowed = frozenset(roles)

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def checked(**arguments: Any) -> Any:
            principal = current_principal()
            if principal is None:
                if request.method == "GET":
                    area = "auth.agent_login" if request.path.startswith("/agent") \
                        else "auth.login"
                    return redirect(url_for(area))
                raise Unauthorized()
            if principal.role not in allowed:
                raise Forbidden()
            if owns is not None:
                with transaction(services().engine) as session:
                    owns(session, principal, arguments)
            return view(**arguments)

        setattr(checked, ROLES, allowed)
        return checked  # type: ignore[return-value]

    return decorate


def public(view: F) -> F:
    """Mark a view open to everyone, signed in or not (sign-in pages, the health check)."""
    setattr(view, ROLES, PUBLIC)
    return view


def refuse_undeclared() -> None:
    """Before each request: a view that declares no access rule is refused (fail closed)."""
    endpoint = request.endpoint
    if endpoint is None or endpoint in BUILT_IN_PUBLIC:
        return
    view = current_app.view_functions.get(endpoint)
    if view is None or not hasattr(view, ROLES):
        current_app.logger.error("route %s declares no access rule: refused", endpoint)
        raise Forbidden()


# --- ownership ------------------------------------------------------------------------------
def agent_of_site(session: Session, principal: Principal, arguments: Mapping[str, Any]
                  ) -> None:
    """``agent_id`` is an agent of the supervisor's site (any agent, for an admin)."""
    _owned(session.get(Agent, arguments["agent_id"]), "site_id", principal.site_id, principal)


def campaign_of_client(session: Session, principal: Principal, arguments: Mapping[str, Any]
                       ) -> None:
    """``campaign_id`` is a campaign of the client's organisation (any, for an admin)."""
    _owned(session.get(Campaign, arguments["campaign_id"]), "client_id", principal.client_id,
           principal)


def questionnaire_of_client(session: Session, principal: Principal,
                            arguments: Mapping[str, Any]) -> None:
    """``questionnaire_id`` is a questionnaire version the client's organisation uploaded
    (any, for an admin)."""
    _owned(session.get(ClientQuestionnaire, arguments["questionnaire_id"]), "client_id",
           principal.client_id, principal)


def import_of_client(session: Session, principal: Principal, arguments: Mapping[str, Any]
                     ) -> None:
    """``import_id`` is a contact import into a campaign of the client's organisation (any,
    for an admin)."""
    found = session.get(ContactImport, arguments["import_id"])
    _owned(session.get(Campaign, found.campaign_id) if found is not None else None,
           "client_id", principal.client_id, principal)


def attempt_of_agent(session: Session, principal: Principal, arguments: Mapping[str, Any]
                     ) -> None:
    """``attempt_id`` is one of the signed-in agent's own calls (an admin's neither)."""
    _owned(session.get(Attempt, arguments["attempt_id"]), "agent_id", principal.agent_id,
           principal, admin_sees_all=False)


def _owned(row: object | None, owner: str, mine: int | None, principal: Principal, *,
           admin_sees_all: bool = True) -> None:
    """Refuse (404) a row that does not exist or whose ``owner`` is not ``mine``."""
    if row is None:
        raise NotFound()
    if admin_sees_all and principal.role is Role.ADMIN:
        return
    if mine is None or getattr(row, owner) != mine:
        raise NotFound()


# --- ownership: the supervisor desk ---------------------------------------------------------
def any_campaign(session: Session, principal: Principal, arguments: Mapping[str, Any]
                 ) -> None:
    """``campaign_id`` exists: campaigns are the centre's, and every site's agents call for
    them, so supervisors of every site (and administrators) control them all."""
    if session.get(Campaign, arguments["campaign_id"]) is None:
        raise NotFound()


def interview_of_site(session: Session, principal: Principal, arguments: Mapping[str, Any]
                      ) -> None:
    """``interview_id`` is an interview one of the supervisor's site's agents made a call of
    (any interview, for an admin)."""
    sites = interview_sites(session, arguments["interview_id"])
    if sites is None:
        raise NotFound()
    if principal.role is not Role.ADMIN and principal.site_id not in sites:
        raise NotFound()
