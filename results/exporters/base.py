"""What every exporter shares: the job it is given, the interface it implements, and files
written all at once or not at all."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from dialer.models import Campaign
from results.codebook import Codebook
from results.errors import ResultsError
from results.labels import Labels
from results.records import InterviewRecord


@dataclass
class ExportJob:
    """One export: the campaign, its codebook and labels, and its interviews.

    ``records()`` streams the interviews (in one database snapshot) and may be called again
    by an exporter that reads them twice; ``count`` says how many there are.
    """

    campaign: Campaign
    codebook: Codebook
    labels: Labels
    records: Callable[[], Iterator[InterviewRecord]]
    count: int
    warnings: list[str] = field(default_factory=list)

    def warn(self, message: str) -> None:
        """Note something the reader of the export must know (a label shortened...)."""
        if message not in self.warnings:
            self.warnings.append(message)


class Exporter:
    """One export format, registered by name (entry point group ``survey_engine.exporters``).

    Exporters stream: they hold one interview at a time (or what their format's library
    needs, said in their docstring), so memory stays flat however many there are.
    """

    #: The name the format is asked for by (``--format``).
    name: ClassVar[str]
    #: The main file's suffix (``.csv``).
    suffix: ClassVar[str]
    #: How many times the exporter reads the interviews (for progress bars).
    passes: ClassVar[int] = 1

    def write(self, job: ExportJob, out: Path) -> list[Path]:
        """Write the export to ``out`` (and files beside it); return every file written."""
        raise NotImplementedError


def beside(out: Path, suffix: str) -> Path:
    """A file next to ``out`` with the same stem: ``coffee.csv`` -> ``coffee.codebook.csv``."""
    return out.with_name(out.stem + suffix)


@contextmanager
def staged(*targets: Path) -> Iterator[list[Path]]:
    """Temporary paths for ``targets``, renamed onto them together when the block succeeds
    and deleted when it fails, so a failed export leaves nothing half-written behind.

    :raises ResultsError: ``export_output`` when a target's folder does not exist.
    """
    for target in targets:
        if not target.parent.is_dir():
            raise ResultsError("export_output", f"cannot write {target}: the folder "
                                                f"{target.parent} does not exist")
    temporary = [target.with_name(f".{target.name}.{os.getpid()}.partial")
                 for target in targets]
    try:
        yield temporary
    except BaseException:
        for path in temporary:
            path.unlink(missing_ok=True)
        raise
    for path, target in zip(temporary, targets, strict=True):
        path.replace(target)
