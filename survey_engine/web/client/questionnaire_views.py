"""Questionnaires in the portal: upload one (every problem shown beside its line), its page
(versions, translation status per language, campaigns), its preview in each language as an
agent reads it, its translation template, and translated catalogs checked before they are
accepted."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers.response import Response
from wtforms.fields.choices import SelectChoice

from dialer.db import transaction
from dialer.errors import DialerError
from dialer.models import Campaign, Client
from dialer.questionnaire_store import (
    accept_catalog,
    client_questionnaires,
    questionnaire_upload,
    template_file,
    translation_status,
)
from survey_engine.errors import CatalogError, InterviewError, QuestionnaireError
from survey_engine.i18n.catalog import load_wording
from survey_engine.questionnaire.model import Questionnaire
from survey_engine.web.access import allow, questionnaire_of_client
from survey_engine.web.agent.labels import language_name
from survey_engine.web.client import CLIENTS, bp
from survey_engine.web.client.common import me, store, stored, uploaded, whose
from survey_engine.web.client.downloads import send_path
from survey_engine.web.client.forms import (
    CatalogUploadForm,
    QuestionnaireUploadForm,
    sample_contact_form,
)
from survey_engine.web.client.preview import preview, sample_contact
from survey_engine.web.client.source_view import annotate, of_diagnostics, of_problems
from survey_engine.web.services import services


def _upload_form() -> QuestionnaireUploadForm:
    form = QuestionnaireUploadForm()
    if whose() is not None:
        del form.client  # a client uploads for its own organisation only
    else:
        with transaction(services().engine) as session:
            form.client.choices = [SelectChoice(client.id, f"{client.code} · {client.name}")
                                   for client in session.scalars(select(Client)
                                                                 .order_by(Client.code))]
    return form


@bp.get("/questionnaires/new")
@allow(*CLIENTS)
def new_questionnaire() -> str:
    """The upload form."""
    return render_template("client/questionnaire_upload.html", form=_upload_form())


@bp.post("/questionnaires/new")
@allow(*CLIENTS)
def upload_questionnaire() -> Response | tuple[str, int]:
    """Check an uploaded questionnaire and keep it; a broken one is shown with every problem
    beside its line, and nothing is kept."""
    form = _upload_form()
    if not form.validate():
        return render_template("client/questionnaire_upload.html", form=form), 422
    raw, name = uploaded(form.file.data, "questionnaire.yaml")
    owner = whose() or form.client.data
    try:
        with questionnaire_upload(store(), owner, raw, name) as upload, \
                transaction(services().writer) as session:
            row = upload.record(session, me().actor)
            carried, row_id = upload.carried, row.id
    except QuestionnaireError as error:
        source = annotate(name, raw.decode("utf-8", errors="replace"),
                          of_diagnostics(error.diagnostics))
        return render_template("client/questionnaire_upload.html", form=form,
                               source=source), 422
    except DialerError as error:
        form.file.errors = [error.message]
        return render_template("client/questionnaire_upload.html", form=form), \
            409 if error.code == "questionnaire_in_use" else 422
    flash(_("The questionnaire was checked and kept."), "info")
    if carried:
        flash(_("Catalogs carried over from the version before (changed texts are marked "
                "fuzzy): %(languages)s", languages=", ".join(carried)), "info")
    return redirect(url_for("client.questionnaire", questionnaire_id=row_id))


@bp.get("/questionnaires/<int:questionnaire_id>")
@allow(*CLIENTS, owns=questionnaire_of_client)
def questionnaire(questionnaire_id: int) -> str:
    """A stored questionnaire version: what it is, how far each language is translated,
    its other versions and the campaigns fielding it."""
    return _render_questionnaire(questionnaire_id)[0]


def _render_questionnaire(questionnaire_id: int, catalog_form: CatalogUploadForm | None = None,
                          status: int = 200) -> tuple[str, int]:
    row, questionnaire = stored(questionnaire_id)
    with transaction(services().engine) as session:
        versions = [other for other in client_questionnaires(session, row.client_id)
                    if other.slug == row.slug]
        campaigns = list(session.scalars(select(Campaign).where(
            Campaign.questionnaire_path == row.path).order_by(Campaign.code)))
    form = catalog_form or _catalog_form(questionnaire)
    return render_template("client/questionnaire.html", row=row, questionnaire=questionnaire,
                           languages=translation_status(questionnaire), versions=versions,
                           campaigns=campaigns, catalog_form=form), status


def _catalog_form(questionnaire: Questionnaire) -> CatalogUploadForm:
    form = CatalogUploadForm()
    form.language.choices = [SelectChoice(code, language_name(code))
                             for code in questionnaire.languages
                             if code != questionnaire.source_language]
    return form


@bp.get("/questionnaires/<int:questionnaire_id>/template.pot")
@allow(*CLIENTS, owns=questionnaire_of_client)
def template(questionnaire_id: int) -> Response:
    """The translation template (.pot) of the version, for translators."""
    row, questionnaire = stored(questionnaire_id)
    return send_path(template_file(questionnaire), f"{row.slug}-{row.version}.pot")


@bp.post("/questionnaires/<int:questionnaire_id>/catalogs")
@allow(*CLIENTS, owns=questionnaire_of_client)
def upload_catalog(questionnaire_id: int) -> Response | tuple[str, int]:
    """Check a translated catalog with the project's checks; accept it only when clean."""
    row, questionnaire = stored(questionnaire_id)
    form = _catalog_form(questionnaire)
    if not form.validate():
        return _render_questionnaire(questionnaire_id, form, 422)
    raw, name = uploaded(form.file.data, f"{form.language.data}.po")
    try:
        with transaction(services().engine) as session:
            verdict = accept_catalog(session, row, form.language.data, raw, name)
    except DialerError as error:
        form.file.errors = [error.message]
        return _render_questionnaire(questionnaire_id, form,
                                     409 if error.code == "catalog_in_use" else 422)
    if not verdict.accepted:
        source = annotate(name, verdict.text, of_problems(verdict.problems))
        return render_template("client/catalog_refused.html", row=row, source=source,
                               language=verdict.language), 422
    flash(_("The %(language)s catalog was checked and accepted.",
            language=language_name(verdict.language)), "info")
    return redirect(url_for("client.questionnaire", questionnaire_id=questionnaire_id))


@bp.get("/questionnaires/<int:questionnaire_id>/preview")
@allow(*CLIENTS, owns=questionnaire_of_client)
def preview_questionnaire(questionnaire_id: int) -> tuple[str, int]:
    """The questionnaire in one language (``?lang=``, default its source language) as an
    agent will read it, piped from a sample contact the author may change."""
    row, questionnaire = stored(questionnaire_id)
    language = request.args.get("lang") or questionnaire.source_language
    if language not in questionnaire.languages:
        language = questionnaire.source_language
    contact_form = sample_contact_form(questionnaire, sample_contact(questionnaire),
                                       request.args)
    contact = {name: contact_form[name].data or "" for name in questionnaire.contact_fields}
    context: dict[str, Any] = {"row": row, "questionnaire": questionnaire,
                               "language": language, "contact_form": contact_form,
                               "statuses": translation_status(questionnaire)}
    status = 200
    try:
        context["preview"] = preview(questionnaire, load_wording(questionnaire, language),
                                     contact)
    except CatalogError as error:
        context["problem"] = error.message
    except InterviewError as error:
        context["problem"], status = error.message, 422
    return render_template("client/preview.html", **context), status

