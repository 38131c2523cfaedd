"""PNG figures for the reports: headless matplotlib, labelled in the project's language."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes

# Figures are built without pyplot: no GUI backend is chosen (stages run headless in CI,
# over SSH, in containers), nothing global is switched under a notebook's own inline
# plots, and a figure is freed with its last reference.
from matplotlib.figure import Figure

from ..core.artifacts import atomic_path
from ..core.errors import PipelineError
from ..core.texts import LANGUAGE, Language, plain, text

# Points drawn in a scatter plot at most; a larger table is sampled.
PLOTTED_POINTS = 5_000


# Ships the IPAex Gothic font and registers it with matplotlib on import: Japanese labels
# on a machine with no Japanese font installed, and no font cache to rebuild.
JAPANESE_FONT_PACKAGE = "matplotlib_fontja"


@cache
def figure_language() -> Language:
    """The project's language, once figures can be labelled in it: a Japanese project
    depends on matplotlib-fontja, and without it no figure is drawn (labels would turn
    into boxes, or silently into English)."""
    if LANGUAGE == "ja":
        try:
            importlib.import_module(JAPANESE_FONT_PACKAGE)
        except ImportError as error:
            raise PipelineError(plain("error.no_japanese_font")) from error
    return LANGUAGE


def figure_text(key: str, **values: object) -> str:
    """A figure label or title in the project's language."""
    return text(key, figure_language(), **values)


def use_label_font() -> None:
    """Make sure the labels' font is registered before a figure is drawn."""
    figure_language()


@dataclass(frozen=True)
class Margins:
    """Room around the axes for tick labels, axis labels and the title, in inches.

    A fixed layout: matplotlib's constrained layout measures every label before drawing
    and took half the time of a `run` on the sample data (and of the project's tests).
    """

    left: float = 0.85
    right: float = 0.25
    bottom: float = 0.65
    top: float = 0.45
    between: float = 0.75  # between the panels of a row

    def for_labels(self, characters: int) -> Margins:
        """Room for category or feature names of up to `characters` on both axes (the
        correlation heatmap's rotated names), plus a colour bar on the right."""
        room = 0.35 + 0.075 * characters
        return replace(self, left=max(self.left, room), bottom=max(self.bottom, room), right=0.3)


def new_figure(
    width: float = 6.0, height: float = 4.0, margins: Margins = Margins()
) -> tuple[Figure, Axes]:
    figure, row = new_figure_row(1, width, height, margins)
    return figure, row[0]


def new_figure_row(
    count: int, width: float, height: float, margins: Margins = Margins(), sharey: bool = False
) -> tuple[Figure, list[Axes]]:
    """`count` panels side by side; with `sharey`, one y scale, labelled on the first."""
    use_label_font()
    figure = Figure(figsize=(width, height))
    axes = figure.subplots(1, count, squeeze=False, sharey=sharey)
    inner = width - margins.left - margins.right - margins.between * (count - 1)
    figure.subplots_adjust(
        left=margins.left / width,
        right=1 - margins.right / width,
        bottom=margins.bottom / height,
        top=1 - margins.top / height,
        wspace=margins.between / (inner / count),  # a fraction of one panel's width
    )
    row = list(axes[0])
    if sharey:
        for panel in row:
            panel.label_outer()  # y tick labels on the first panel only
    return figure, row


def new_figure_grid(
    count: int, columns: int, panel_width: float = 3.0, panel_height: float = 2.3
) -> tuple[Figure, list[Axes]]:
    """`count` small panels, `columns` to a row, each with its own scales and a title;
    the cells past `count` in the last row stay empty."""
    use_label_font()
    rows, across = -(-count // columns), min(columns, count)
    margins = Margins()
    width = across * panel_width + margins.left + margins.right
    height = rows * panel_height + margins.top + margins.bottom
    figure = Figure(figsize=(width, height))
    axes = figure.subplots(rows, across, squeeze=False)
    figure.subplots_adjust(
        left=margins.left / width,
        right=1 - margins.right / width,
        bottom=margins.bottom / height,
        top=1 - margins.top / height,
        wspace=0.35,
        hspace=0.6,
    )
    panels = [panel for row in axes for panel in row]
    for unused in panels[count:]:
        unused.set_visible(False)
    return figure, panels[:count]


def plotted_positions(rows: int, limit: int = PLOTTED_POINTS) -> np.ndarray:
    """Positions of at most `limit` of `rows` rows, the same ones on every run, in their
    order: a scatter of a million points takes seconds to draw and shows no more than a
    sample of thousands."""
    if rows <= limit:
        return np.arange(rows)
    return np.sort(np.random.default_rng(0).choice(rows, limit, replace=False))


def save_figure(figure: Figure, target: Path) -> Path:
    """Write a PNG atomically."""
    with atomic_path(target) as temporary:
        figure.savefig(temporary, format="png", dpi=100)
    return target


def remove_stale(figures_dir: Path, owned: tuple[str, ...], written: dict[str, Path]) -> None:
    """Delete the files in `owned` that this run did not write: a figure of the previous
    task or data (a ROC curve after switching to regression) must not outlive it."""
    kept = {path.name for path in written.values()}
    for name in owned:
        if name not in kept:
            (figures_dir / name).unlink(missing_ok=True)
