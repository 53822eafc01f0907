"""Exporting a campaign's interviews in one format: the operation behind
``survey-engine results export`` and, later, the client portal's downloads."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from dialer.campaigns import campaign_by_code, campaign_questionnaire
from results.codebook import build_codebook
from results.exporters import ExportJob, exporter
from results.labels import label_language, load_labels
from results.records import InterviewRecord, Selection, count_interviews, iter_records, snapshot

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote."""

    files: list[Path]
    interviews: int
    language: str
    warnings: list[str]


def export_campaign(engine: Engine, campaign_code: str, format_name: str,
                    out: Path | None = None, *, language: str | None = None,
                    selection: Selection = Selection.FINAL, locales: Path | None = None,
                    on_start: Callable[[int], None] | None = None,
                    progress: Callable[[int], None] | None = None) -> ExportResult:
    """Export the interviews of ``campaign_code`` as ``format_name``, in one snapshot.

    :param out: the main file (default ``CAMPAIGN`` with the format's suffix, here).
    :param language: the labels' language (see :func:`results.labels.label_language`).
    :param on_start: called once with the amount of work (interviews times the exporter's
        passes over them), before any is done.
    :param progress: called with 1 for every interview read.
    :raises ResultsError: ``unknown_format``, ``label_language``, ``export_output`` and the
        codes of the exporters; :class:`dialer.errors.NotFound` for an unknown campaign;
        ``CatalogError`` when the labels' catalog is missing.
    """
    chosen = exporter(format_name)
    with snapshot(engine) as session:
        campaign = campaign_by_code(session, campaign_code)
        questionnaire = campaign_questionnaire(campaign)
        labels = load_labels(questionnaire, label_language(campaign, questionnaire, language),
                             locales)
        codebook = build_codebook(labels, list(campaign.export_contact_fields or []))
        count = count_interviews(session, campaign.id, selection)
        if on_start is not None:
            on_start(count * chosen.passes)

        def records() -> Iterator[InterviewRecord]:
            for record in iter_records(session, campaign, selection):
                yield record
                if progress is not None:
                    progress(1)

        job = ExportJob(campaign, codebook, labels, records, count)
        target = out or Path(f"{campaign.code}{chosen.suffix}")
        files = chosen.write(job, target)
    for warning in job.warnings:
        logger.info("%s: %s", campaign_code, warning)
    return ExportResult(files, count, labels.language, job.warnings)
