"""JSON Lines: one interview per line, with its answers as stored (option codes; special
answers as ``{"special": name, "code": code}``), its outcome and the trace digest that vouches
for it. Streams: one interview in memory at a time."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dialer.outcomes import DISPOSITIONS
from results.exporters.base import Exporter, ExportJob, staged
from results.records import InterviewRecord


def interview_document(record: InterviewRecord, special_codes: Mapping[str, int]
                       ) -> dict[str, Any]:
    """An interview as a JSON-ready document (also what the partner API will serve)."""
    answers = {}
    for question, stored in record.answers.items():
        if isinstance(stored, Mapping) and set(stored) == {"special"}:
            stored = {"special": stored["special"],
                      "code": special_codes.get(str(stored["special"]))}
        answers[question] = stored
    disposition = DISPOSITIONS.get(record.disposition)
    return {
        "interview": record.interview_id,
        "questionnaire": {"slug": record.questionnaire, "version": record.version},
        "language": record.language,
        "agent": record.agent,
        "outcome": {"aapor": record.disposition,
                    "label": disposition.label if disposition else None,
                    "final": record.final, "questionnaire": record.outcome},
        "attempts": record.attempts,
        "started_at": record.started_at.isoformat(),
        "updated_at": record.updated_at.isoformat(),
        "trace": {"seq": record.trace_seq, "hash": record.trace_hash},
        "contact": dict(record.contact),
        "answers": answers,
    }


class JsonLinesExporter(Exporter):
    name = "jsonl"
    suffix = ".jsonl"

    def write(self, job: ExportJob, out: Path) -> list[Path]:
        codes = job.labels.questionnaire.special_codes
        with staged(out) as (data,), data.open("w", encoding="utf-8") as handle:
            for record in job.records():
                handle.write(json.dumps(interview_document(record, codes),
                                        ensure_ascii=False, separators=(",", ":")))
                handle.write("\n")
        return [out]
