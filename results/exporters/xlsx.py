"""XLSX: a sheet of interviews (a header row of variable names, one row per interview) and a
sheet with the codebook. openpyxl's write-only workbook streams rows to disk, so memory stays
flat; numbers, codes and dates are typed cells."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from results.errors import ResultsError
from results.exporters.base import Exporter, ExportJob, staged
from results.exporters.tabular import CODEBOOK_HEADER, codebook_rows

#: Excel's limit of rows in a sheet, header included.
MAX_ROWS = 1_048_576


class XlsxExporter(Exporter):
    name = "xlsx"
    suffix = ".xlsx"

    def write(self, job: ExportJob, out: Path) -> list[Path]:
        if job.count + 1 > MAX_ROWS:
            raise ResultsError("export_too_large", f"{job.count} interviews do not fit in an "
                                                   f"XLSX sheet ({MAX_ROWS - 1} rows at most): "
                                                   "export CSV or SPSS instead")
        workbook = Workbook(write_only=True)
        data = workbook.create_sheet(job.labels.gettext("interviews")[:31])
        data.append(job.codebook.names)
        for record in job.records():
            data.append(job.codebook.row(record))
        book = workbook.create_sheet(job.labels.gettext("codebook")[:31])
        book.append(list(CODEBOOK_HEADER))
        for row in codebook_rows(job.codebook):
            book.append(list(row))
        with staged(out) as (path,):
            workbook.save(path)
        return [out]
