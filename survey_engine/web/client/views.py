"""The portal's index: the organisation's campaigns and questionnaires."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import select

from dialer.campaigns import campaign_overview
from dialer.db import transaction
from dialer.models import Client, ContactState
from dialer.questionnaire_store import client_questionnaires
from survey_engine.web.access import allow
from survey_engine.web.client import CLIENTS, bp
from survey_engine.web.client.common import whose
from survey_engine.web.services import services


@bp.get("/")
@allow(*CLIENTS)
def index() -> str:
    """The campaigns and questionnaires of the client's organisation (every client's, for an
    administrator)."""
    mine = whose()
    with transaction(services().engine) as session:
        campaigns = campaign_overview(session, client_id=mine)
        questionnaires = client_questionnaires(session, mine)
        clients = {ident: code for ident, code in session.execute(select(Client.id, Client.code))} \
            if mine is None else {}
    return render_template("client/index.html", campaigns=campaigns, states=ContactState,
                           questionnaires=questionnaires, clients=clients)
