"""A campaign's results, downloaded from its page, through the results package as
``survey-engine results`` calls it: the interviews in every export format registered
(:func:`results.exporters.available_formats`: CSV with its codebook, JSON Lines, XLSX, SPSS,
Triple-S), the AAPOR outcome rates, and the HTML report. Contact data goes only as the
campaign allows: the exporters leave out every field its ``export_contact_fields`` does not
list, and phone numbers always."""

from __future__ import annotations

import csv
import io
from fractions import Fraction

from flask import request
from werkzeug.exceptions import NotFound
from werkzeug.wrappers.response import Response

from results.cases import DIMENSIONS, iter_cases, rate_table
from results.export import export_campaign
from results.exporters import available_formats, exporter
from results.rates import RATE_NAMES
from results.records import Selection, snapshot
from results.report import write_report
from survey_engine.web.access import allow, campaign_of_client
from survey_engine.web.client import CLIENTS, bp
from survey_engine.web.client.common import campaign_row
from survey_engine.web.client.downloads import scratch_folder, send_files, send_text
from survey_engine.web.services import services

#: The AAPOR rate groups, in the order of the rates table.
GROUPS = ("I", "P", "R", "NC", "O", "UH", "UO", "NE")


@bp.get("/campaigns/<int:campaign_id>/export")
@allow(*CLIENTS, owns=campaign_of_client)
def export(campaign_id: int) -> Response:
    """The campaign's interviews as ``?format=`` (one of the registered formats), labels in
    ``?lang=`` (default: the client's language if the questionnaire has it), settled
    interviews only unless ``?all=1``."""
    format_name = request.args.get("format", "")
    if format_name not in available_formats():
        raise NotFound()
    chosen = exporter(format_name)
    code = campaign_row(campaign_id).code
    selection = Selection.ALL if request.args.get("all") == "1" else Selection.FINAL
    with scratch_folder() as folder:
        result = export_campaign(services().engine, code, format_name,
                                 folder / f"{code}{chosen.suffix}",
                                 language=request.args.get("lang") or None, selection=selection)
        name = f"{code}{chosen.suffix}" if len(result.files) == 1 else \
            f"{code}-{format_name}.zip"
        return send_files(result.files, name, folder)


@bp.get("/campaigns/<int:campaign_id>/rates.csv")
@allow(*CLIENTS, owns=campaign_of_client)
def rates(campaign_id: int) -> Response:
    """The AAPOR outcome rates of the campaign, then per language, site and day, as CSV:
    the cases in each rate group, e (estimated per row), and every rate as a fraction
    (empty when its denominator is zero)."""
    code = campaign_row(campaign_id).code
    with snapshot(services().engine) as session:
        rows = rate_table(iter_cases(session, campaign_id), None, DIMENSIONS)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["by", "value", "cases", *GROUPS, "e", *RATE_NAMES])
    for row in rows:
        writer.writerow([row.dimension, row.value, row.cases,
                         *(getattr(row.counts, group) for group in GROUPS),
                         _decimal(row.e), *(_decimal(row.rates[name]) for name in RATE_NAMES)])
    return send_text(out.getvalue(), f"{code}-rates.csv")


def _decimal(fraction: Fraction | None) -> str:
    """A rate (or e) to four places; empty when its denominator is zero."""
    return "" if fraction is None else f"{float(fraction):.4f}"


@bp.get("/campaigns/<int:campaign_id>/report.html")
@allow(*CLIENTS, owns=campaign_of_client)
def report(campaign_id: int) -> Response:
    """The campaign's HTML report in ``?lang=`` (default: the client's language), one
    self-contained file (sent as a download: its charts are embedded images)."""
    code = campaign_row(campaign_id).code
    with scratch_folder() as folder:
        result = write_report(services().engine, code, folder / f"{code}-report.html",
                              language=request.args.get("lang") or None)
        return send_files([result.path], result.path.name, folder)
