"""Campaigns in the portal: a new campaign on a stored questionnaire (a draft: supervisors
start it), a campaign's page (its state and contacts, the AAPOR counts of its cases, its
imports, its downloads), contact files imported into it, and the report of a file's refused
lines."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.exceptions import NotFound
from werkzeug.utils import secure_filename
from werkzeug.wrappers.response import Response

from dialer.campaigns import campaign_overview, campaign_questionnaire
from dialer.centre_file import campaign_of_spec
from dialer.contact_imports import IMPORTS_FOLDER, import_contact_file, import_history
from dialer.db import transaction
from dialer.errors import DialerError, ImportRefused
from dialer.models import Campaign, CampaignState, Client, ContactImport, ContactState
from results.cases import iter_cases, rate_table
from results.exporters import available_formats
from results.records import snapshot
from survey_engine.i18n.languages import LANGUAGES
from survey_engine.web.access import (
    allow,
    campaign_of_client,
    import_of_client,
    questionnaire_of_client,
)
from survey_engine.web.client import CLIENTS, bp
from survey_engine.web.client.campaign_form import (
    FIELD_OF_CODE,
    add_error,
    campaign_form,
    campaign_spec,
    retry_names,
)
from survey_engine.web.client.common import campaign_row, instance, me, stored
from survey_engine.web.client.downloads import send_path
from survey_engine.web.client.forms import ContactsForm
from survey_engine.web.services import services
from survey_engine.web.uploads import body_limit

#: The rates the campaign page shows (all of them are in the rates download).
SHOWN_RATES = ("RR1", "RR3", "COOP1", "REF1", "CON1")
#: About how many bytes a line of a contact file takes (a number, a language, a few fields),
#: to say how many contacts the largest file holds.
ROW_BYTES = 60


@bp.get("/questionnaires/<int:questionnaire_id>/campaigns/new")
@allow(*CLIENTS, owns=questionnaire_of_client)
def new_campaign(questionnaire_id: int) -> str:
    """The form of a new campaign fielding the version."""
    row, questionnaire = stored(questionnaire_id)
    return render_template("client/campaign_new.html", row=row, questionnaire=questionnaire,
                           form=campaign_form(questionnaire), retry_names=retry_names())


@bp.post("/questionnaires/<int:questionnaire_id>/campaigns/new")
@allow(*CLIENTS, owns=questionnaire_of_client)
def create_campaign(questionnaire_id: int) -> Response | tuple[str, int]:
    """Create the campaign, a draft of the questionnaire's client; every refusal is shown on
    its field, and nothing is created."""
    row, questionnaire = stored(questionnaire_id)
    form = campaign_form(questionnaire)
    page = {"row": row, "questionnaire": questionnaire, "form": form,
            "retry_names": retry_names()}
    if not form.validate():
        return render_template("client/campaign_new.html", **page), 422
    with transaction(services().writer) as session:
        client = session.get(Client, row.client_id)
        assert client is not None
        spec = campaign_spec(form, client.code, row.path)
        if spec is not None and session.scalar(select(Campaign.id).where(
                Campaign.code == spec.code)) is not None:
            add_error(form, "code", _("There is a campaign with this code already."))
            spec = None
        if spec is None:
            return render_template("client/campaign_new.html", **page), 422
        try:
            campaign = campaign_of_spec(session, client, spec, Path(row.path))
        except DialerError as error:
            add_error(form, FIELD_OF_CODE.get(error.code, "code"), error.message)
            return render_template("client/campaign_new.html", **page), 422
        campaign_id = campaign.id
    flash(_("The campaign was created as a draft: a supervisor starts it."), "info")
    return redirect(url_for("client.campaign", campaign_id=campaign_id))


@bp.get("/campaigns/<int:campaign_id>")
@allow(*CLIENTS, owns=campaign_of_client)
def campaign(campaign_id: int) -> tuple[str, int]:
    """One campaign: its state and contacts, the AAPOR counts of its cases, its imports and
    its downloads."""
    return _render_campaign(campaign_id)


def _render_campaign(campaign_id: int, **extra: Any) -> tuple[str, int]:
    found = campaign_row(campaign_id)
    status = extra.pop("status", 200)
    limit = current_app.config["MAX_CONTACTS_UPLOAD"]
    with transaction(services().engine) as session:
        overview = next(item for item in campaign_overview(session,
                                                           client_id=found.client_id)
                        if item.id == campaign_id)
        imports = import_history(session, campaign_id)
    with snapshot(services().engine) as session:
        rates = rate_table(iter_cases(session, campaign_id), None, ("language",))
    try:
        languages = campaign_questionnaire(found).languages
        problem = None
    except DialerError as error:
        languages, problem = (), error.message
    return render_template(
        "client/campaign.html", campaign=overview, found=found, states=ContactState,
        imports=imports, rates=rates, shown_rates=SHOWN_RATES, formats=available_formats(),
        label_languages=languages, report_languages=list(LANGUAGES),
        questionnaire_problem=problem, finished=found.state is CampaignState.FINISHED,
        contacts_form=extra.pop("contacts_form", None) or ContactsForm(),
        upload_limit=limit // (1024 * 1024), upload_rows=limit // ROW_BYTES, **extra), status


@bp.post("/campaigns/<int:campaign_id>/contacts")
@allow(*CLIENTS, owns=campaign_of_client)
@body_limit("MAX_CONTACTS_UPLOAD")
def import_contacts(campaign_id: int) -> Response | tuple[str, int]:
    """Import a contact file into the campaign: all its lines, or none and the report of
    every line refused."""
    form = ContactsForm()
    if not form.validate():
        return _render_campaign(campaign_id, contacts_form=form, status=422)
    file = form.file.data
    name = secure_filename(file.filename or "") or "contacts.csv"
    folder = instance() / IMPORTS_FOLDER / str(campaign_id)
    folder.mkdir(parents=True, exist_ok=True)
    upload = folder / f"{secrets.token_hex(8)}.upload{Path(name).suffix.lower()}"
    file.save(upload)
    try:
        recorded = import_contact_file(services().engine, campaign_id, upload, name,
                                       instance(), me().actor)
    except ImportRefused as error:
        form.file.errors = [error.message]
        return _render_campaign(campaign_id, contacts_form=form, status=422)
    report = recorded.report
    if report.rejected:
        return _render_campaign(campaign_id, refused=recorded, status=422)
    flash(_("%(count)d contacts imported from %(file)s.", count=report.imported, file=name),
          "info")
    if report.set_aside:
        flash(_("%(count)d of them were set aside at once: a closed quota matches them.",
                count=report.set_aside), "info")
    return redirect(url_for("client.campaign", campaign_id=campaign_id))


@bp.get("/imports/<int:import_id>/rejections.csv")
@allow(*CLIENTS, owns=import_of_client)
def rejections(import_id: int) -> Response:
    """Every line of an imported file that was refused: line, reason and message."""
    with transaction(services().engine) as session:
        found = session.get(ContactImport, import_id)
        assert found is not None
        report = found.reject_report
        stem = Path(found.file_name).stem or "contacts"
    if report is None or not Path(report).is_file():
        raise NotFound()
    return send_path(Path(report), f"{stem}-rejected.csv")
