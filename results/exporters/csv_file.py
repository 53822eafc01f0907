"""CSV: one row per interview, one column per variable, with its codebook beside it
(``NAME.codebook.csv``). UTF-8, comma-separated, quoted where needed (RFC 4180), a header row
of variable names. Streams: one interview in memory at a time."""

from __future__ import annotations

import csv
from pathlib import Path

from results.exporters.base import Exporter, ExportJob, beside, staged
from results.exporters.tabular import CODEBOOK_HEADER, codebook_rows, text_of


class CsvExporter(Exporter):
    name = "csv"
    suffix = ".csv"

    def write(self, job: ExportJob, out: Path) -> list[Path]:
        codebook_path = beside(out, ".codebook.csv")
        with staged(out, codebook_path) as (data, book):
            with data.open("w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(job.codebook.names)
                for record in job.records():
                    writer.writerow([text_of(cell) for cell in job.codebook.row(record)])
            with book.open("w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(CODEBOOK_HEADER)
                writer.writerows(codebook_rows(job.codebook))
        return [out, codebook_path]
