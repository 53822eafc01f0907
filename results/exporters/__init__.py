"""Exporters by name: the ``survey_engine.exporters`` entry points.

Each format is an :class:`~results.exporters.base.Exporter` subclass registered by any
installed distribution, as this one does in setup.cfg::

    [options.entry_points]
    survey_engine.exporters =
        csv = results.exporters.csv_export:CsvExporter
"""

from __future__ import annotations

from importlib.metadata import entry_points

from results.errors import ResultsError
from results.exporters.base import Exporter, ExportJob

GROUP = "survey_engine.exporters"

__all__ = ["GROUP", "ExportJob", "Exporter", "available_formats", "exporter"]


def available_formats() -> list[str]:
    """The names of the installed export formats, sorted."""
    return sorted({point.name for point in entry_points(group=GROUP)})


def exporter(name: str) -> Exporter:
    """The exporter registered as ``name``.

    :raises ResultsError: ``unknown_format`` listing the formats there are;
        ``format_broken`` when the entry point does not load an exporter.
    """
    points = [point for point in entry_points(group=GROUP) if point.name == name]
    if not points:
        raise ResultsError("unknown_format", f"unknown export format {name!r}; formats: "
                                             f"{', '.join(available_formats()) or 'none'}")
    try:
        loaded = points[0].load()
    except (ImportError, AttributeError) as error:
        raise ResultsError("format_broken", f"export format {name!r} ({points[0].value}) "
                                            f"cannot load: {error}") from None
    if not (isinstance(loaded, type) and issubclass(loaded, Exporter)):
        raise ResultsError("format_broken", f"export format {name!r} ({points[0].value}) is "
                                            "not an Exporter class")
    return loaded()
