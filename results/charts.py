"""The report's charts: matplotlib figures (Agg backend: no display needed) drawn to PNG and
embedded in the HTML as data URIs, so the report is one file to hand over."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
from matplotlib import pyplot
from matplotlib.figure import Figure

COLOURS = ("#2f6f9f", "#e3923b", "#5c9e5a", "#c4504a", "#8a6fb5", "#7f7f7f", "#c9a227")
#: NPS bands, detractors to promoters.
NPS_COLOURS = ("#c4504a", "#c9a227", "#5c9e5a")


def _png(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    pyplot.close(figure)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _wrapped(label: str, width: int = 40) -> str:
    return label if len(label) <= width else label[:width - 1] + "…"


def bars(labels: Sequence[str], values: Sequence[float], title: str, *,
         horizontal: bool = False, percent: bool = False) -> str:
    """A bar chart as a PNG data URI."""
    height = max(2.5, 0.4 * len(labels) + 1) if horizontal else 3.5
    figure, axes = pyplot.subplots(figsize=(8, height))
    names = [_wrapped(label) for label in labels]
    colours = [COLOURS[index % len(COLOURS)] for index in range(len(labels))]
    if horizontal:
        axes.barh(names[::-1], list(values)[::-1], color=colours[::-1])
    else:
        axes.bar(names, list(values), color=COLOURS[0])
        axes.tick_params(axis="x", rotation=45 if len(labels) > 6 else 0)
    if percent:
        axes.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    axes.set_title(title)
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)


def nps_bar(shares: Sequence[float], names: Sequence[str], title: str) -> str:
    """One stacked bar of detractors, passives and promoters (shares of 1)."""
    figure, axes = pyplot.subplots(figsize=(8, 1.6))
    left = 0.0
    for share, name, colour in zip(shares, names, NPS_COLOURS, strict=True):
        axes.barh([0], [share], left=left, color=colour, label=f"{name} {share:.0%}")
        left += share
    axes.set_xlim(0, 1)
    axes.set_yticks([])
    axes.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.35), ncol=3, frameon=False)
    axes.set_title(title)
    return _png(figure)
