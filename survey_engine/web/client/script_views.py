"""Scripted interviews from the portal: a script (``NAME.interviews.yaml``, see
docs/questionnaire-format.md), uploaded or pasted, run on a stored questionnaire in one of
its languages as ``survey-engine interview test`` runs it
(:mod:`survey_engine.interview.scripts`): each case passed or failed, with how it differs
from what it expects. A script that does not read is shown with its problems beside their
lines."""

from __future__ import annotations

import tempfile
from pathlib import Path

from flask import render_template
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from survey_engine.errors import CatalogError, ScriptError
from survey_engine.i18n.catalog import load_wording
from survey_engine.interview.scripts import load_cases, run_script
from survey_engine.questionnaire.model import Questionnaire
from survey_engine.web.access import allow, questionnaire_of_client
from survey_engine.web.agent.labels import language_name
from survey_engine.web.client import CLIENTS, bp
from survey_engine.web.client.common import stored, uploaded
from survey_engine.web.client.forms import ScriptForm
from survey_engine.web.client.source_view import annotate, of_diagnostics

#: The largest script taken, uploaded or pasted.
MAX_SCRIPT_BYTES = 1024 * 1024


def _form(questionnaire: Questionnaire) -> ScriptForm:
    form = ScriptForm()
    form.language.choices = [SelectChoice(code, language_name(code))
                             for code in questionnaire.languages]
    if not form.language.data:
        form.language.data = questionnaire.source_language
    return form


@bp.get("/questionnaires/<int:questionnaire_id>/interviews")
@allow(*CLIENTS, owns=questionnaire_of_client)
def scripts(questionnaire_id: int) -> str:
    """The form: a script to upload or paste, and the language."""
    row, questionnaire = stored(questionnaire_id)
    return render_template("client/scripts.html", row=row, questionnaire=questionnaire,
                           form=_form(questionnaire))


@bp.post("/questionnaires/<int:questionnaire_id>/interviews")
@allow(*CLIENTS, owns=questionnaire_of_client)
def run_scripts(questionnaire_id: int) -> tuple[str, int]:
    """Run the script's cases and show each one's result."""
    row, questionnaire = stored(questionnaire_id)
    form = _form(questionnaire)
    page = {"row": row, "questionnaire": questionnaire, "form": form}
    if not form.validate():
        return render_template("client/scripts.html", **page), 422
    if form.file.data:
        raw, name = uploaded(form.file.data, f"{row.slug}.interviews.yaml")
    else:
        raw, name = form.text.data.encode("utf-8"), f"{row.slug}.interviews.yaml"
    if len(raw) > MAX_SCRIPT_BYTES:
        form.text.errors = [_("The script is %(size)d bytes; at most %(limit)d are taken.",
                              size=len(raw), limit=MAX_SCRIPT_BYTES)]
        return render_template("client/scripts.html", **page), 422
    text = raw.decode("utf-8", errors="replace")
    try:
        wording = load_wording(questionnaire, form.language.data)
    except CatalogError as error:
        form.language.errors = [error.message]
        return render_template("client/scripts.html", **page), 422
    with tempfile.TemporaryDirectory(prefix="survey-script-") as folder:
        path = Path(folder) / name
        path.write_bytes(raw)
        try:
            cases = load_cases(path, questionnaire)
        except ScriptError as error:
            page["source"] = annotate(name, text, of_diagnostics(error.diagnostics))
            return render_template("client/scripts.html", **page), 422
    results = run_script(questionnaire, wording, cases)
    return render_template("client/scripts.html", **page, results=list(zip(cases, results,
                                                                          strict=True))), 200
