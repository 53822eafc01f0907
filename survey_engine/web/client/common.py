"""What the portal's views share: who is signed in and whose objects they see, the stored
questionnaire a route names, the store's folder, and uploaded files read with their names."""

from __future__ import annotations

from pathlib import Path

from flask import current_app
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from dialer.db import transaction
from dialer.models import Campaign, ClientQuestionnaire, Role
from dialer.questionnaire_store import store_root, stored_questionnaire
from survey_engine.questionnaire.model import Questionnaire
from survey_engine.web.principal import Principal, current_principal
from survey_engine.web.services import services


def me() -> Principal:
    """The client (or administrator) signed in; routes have checked there is one."""
    principal = current_principal()
    assert principal is not None
    return principal


def whose() -> int | None:
    """The client organisation whose objects are shown: the client's own; None (everyone's)
    for an administrator."""
    principal = me()
    return principal.client_id if principal.role is Role.CLIENT else None


def instance() -> Path:
    """The instance folder of the application."""
    return Path(current_app.config["SURVEY_INSTANCE"])


def store() -> Path:
    """Where uploaded questionnaires are kept."""
    return store_root(instance())


def questionnaire_row(questionnaire_id: int) -> ClientQuestionnaire:
    """The stored questionnaire version a route names (its access was checked)."""
    with transaction(services().engine) as session:
        row = session.get(ClientQuestionnaire, questionnaire_id)
        assert row is not None
        return row


def stored(questionnaire_id: int) -> tuple[ClientQuestionnaire, Questionnaire]:
    """The stored version a route names and its questionnaire, loaded from its file."""
    row = questionnaire_row(questionnaire_id)
    return row, stored_questionnaire(row)


def campaign_row(campaign_id: int) -> Campaign:
    """The campaign a route names (its access was checked), with its client."""
    with transaction(services().engine) as session:
        campaign = session.get(Campaign, campaign_id)
        assert campaign is not None
        campaign.client  # noqa: B018  (loaded while the session is open)
        return campaign


def uploaded(file: FileStorage, default: str) -> tuple[bytes, str]:
    """The bytes of an uploaded file and the name it is shown by (its own name, made safe;
    ``default`` when it has none)."""
    name = secure_filename(file.filename or "") or default
    return file.read(), name
