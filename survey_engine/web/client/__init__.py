"""The client portal. Here now: the client's own campaigns and their progress. Questionnaire
upload, previews, translations, scripted interviews, campaigns and contacts are built on this
blueprint next (docs/web.md, "Adding the desks")."""

from __future__ import annotations

from flask import Blueprint, render_template

from dialer.campaigns import campaign_overview
from dialer.db import transaction
from dialer.models import Campaign, ContactState, Role
from survey_engine.web.access import allow, campaign_of_client
from survey_engine.web.principal import current_principal
from survey_engine.web.services import services

bp = Blueprint("client", __name__, url_prefix="/client")
CLIENTS = (Role.CLIENT, Role.ADMIN)


@bp.get("/")
@allow(*CLIENTS)
def index() -> str:
    """The campaigns of the client's organisation (every client's, for an administrator)."""
    principal = current_principal()
    assert principal is not None
    mine = principal.client_id if principal.role is Role.CLIENT else None
    with transaction(services().engine) as session:
        campaigns = campaign_overview(session, client_id=mine)
    return render_template("client/index.html", campaigns=campaigns, states=ContactState)


@bp.get("/campaigns/<int:campaign_id>")
@allow(*CLIENTS, owns=campaign_of_client)
def campaign(campaign_id: int) -> str:
    """One campaign of the client: its state and contacts."""
    with transaction(services().engine) as session:
        found = session.get(Campaign, campaign_id)
        assert found is not None
        overview = next(item for item in campaign_overview(session, client_id=found.client_id)
                        if item.id == campaign_id)
    return render_template("client/campaign.html", campaign=overview, states=ContactState)
