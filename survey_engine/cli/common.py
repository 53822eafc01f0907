"""Helpers shared by the CLI commands: options, loading with clean errors, progress."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import click

from survey_engine.errors import QuestionnaireError
from survey_engine.i18n.paths import PROJECT_ROOT, locales_dir
from survey_engine.questionnaire.loader import load
from survey_engine.questionnaire.model import Questionnaire

T = TypeVar("T")
SCRIPT_SUFFIX = ".interviews.yaml"

locales_option = click.option(
    "--locales", "locales", type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Catalogs directory (default: $SURVEY_ENGINE_LOCALES, else the project's locales/).")


def operator() -> str:
    """How the person running a command is named in the trace and in records: ``cli:USER``."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def resolve_locales(path: Path | None) -> Path:
    return path if path is not None else locales_dir()


def load_or_exit(path: str | Path) -> Questionnaire:
    """Load a questionnaire, or print every problem and exit 1."""
    try:
        return load(path)
    except QuestionnaireError as error:
        for diagnostic in error.diagnostics:
            click.echo(str(diagnostic), err=True)
        raise SystemExit(1) from None


def questionnaire_files(directory: Path | None) -> list[Path]:
    """The questionnaire files of a directory (scripted-interview files left out)."""
    folder = directory or PROJECT_ROOT / "questionnaires"
    return sorted(path for path in folder.glob("*.yaml") if not path.name.endswith(SCRIPT_SUFFIX))


def progress(items: Iterable[T], length: int, label: str) -> Iterator[T]:
    """Iterate with a progress bar on a terminal's standard error (silent otherwise)."""
    if not sys.stderr.isatty() or length < 2:
        yield from items
        return
    with click.progressbar(items, length=length, label=label, file=sys.stderr) as bar:
        yield from bar


@contextmanager
def progress_bar(length: int, label: str) -> Iterator[Callable[[int], None]]:
    """A function to call with each amount of work done, drawing a progress bar of ``length``
    on a terminal's standard error (doing nothing otherwise)."""
    if not sys.stderr.isatty() or length < 1:
        yield lambda amount: None
        return
    with click.progressbar(length=length, label=label, file=sys.stderr) as bar:
        yield bar.update


def echo_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Print rows of text under their headers, in columns as wide as their widest cell."""
    table = [tuple(headers), *(tuple(row) for row in rows)]
    widths = [max(len(row[column]) for row in table) for column in range(len(headers))]
    for row in table:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
                   .rstrip())
