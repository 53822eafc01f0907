"""The supervisor desk. Here now: the site's agents and the state of dialing. The live board,
campaign control, the stop-all-dialing button, quality review and agent management are built
on this blueprint next (docs/web.md, "Adding the desks")."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select

from dialer.db import transaction
from dialer.dialing_switch import dialing_state
from dialer.models import Agent, Role, Site
from survey_engine.web.access import agent_of_site, allow
from survey_engine.web.principal import current_principal
from survey_engine.web.services import services

bp = Blueprint("supervisor", __name__, url_prefix="/supervisor")
STAFF = (Role.SUPERVISOR, Role.ADMIN)


@bp.get("/")
@allow(*STAFF)
def index() -> str:
    """The agents of the supervisor's site (every site's, for an administrator)."""
    principal = current_principal()
    assert principal is not None
    with transaction(services().engine) as session:
        query = select(Agent, Site.code).join(Site, Site.id == Agent.site_id) \
            .order_by(Site.code, Agent.code)
        if principal.role is Role.SUPERVISOR:
            query = query.where(Agent.site_id == principal.site_id)
        agents = [(agent.id, agent.code, site, agent.active, agent.ready_since is not None)
                  for agent, site in session.execute(query)]
        switch = dialing_state(session)
    return render_template("supervisor/index.html", agents=agents, switch=switch)


@bp.get("/agents/<int:agent_id>")
@allow(*STAFF, owns=agent_of_site)
def agent(agent_id: int) -> str:
    """One agent of the site: languages and shifts."""
    with transaction(services().engine) as session:
        found = session.get(Agent, agent_id)
        assert found is not None
        card = {"code": found.code, "interface_language": found.interface_language,
                "languages": sorted((spoken.language, spoken.level.value)
                                    for spoken in found.languages),
                "shifts": sorted((shift.weekday, f"{shift.start:%H:%M}", f"{shift.end:%H:%M}")
                                 for shift in found.shifts)}
    return render_template("supervisor/agent.html", card=card)
