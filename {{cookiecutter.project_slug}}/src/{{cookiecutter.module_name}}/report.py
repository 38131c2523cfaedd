"""Small helpers the report-writing stages share: Markdown tables and PNG figures."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # stages run headless: in CI, over SSH, in containers
import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .artifacts import atomic_path


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    def cell(value: object) -> str:
        text = f"{value:.4g}" if isinstance(value, float) else str(value)
        return text.replace("|", "\\|").replace("\n", " ")

    lines = [
        "| " + " | ".join(headers) + " |",
        "| " + " | ".join("---" for _ in headers) + " |",
        *("| " + " | ".join(cell(value) for value in row) + " |" for row in rows),
    ]
    return "\n".join(lines)


def new_figure(width: float = 6.0, height: float = 4.0) -> tuple[Figure, Axes]:
    figure, axes = plt.subplots(figsize=(width, height), layout="constrained")
    return figure, axes


def new_figure_row(count: int, width: float, height: float) -> tuple[Figure, list[Axes]]:
    figure, axes = plt.subplots(
        1, count, figsize=(width, height), squeeze=False, layout="constrained"
    )
    return figure, list(axes[0])


def save_figure(figure: Figure, target: Path) -> Path:
    """Write a PNG atomically and release the figure's memory."""
    with atomic_path(target) as temporary:
        figure.savefig(temporary, format="png", dpi=100)
    plt.close(figure)
    return target


def relative_link(target: Path, document: Path) -> str:
    """A Markdown link path from a document to a file, with forward slashes."""
    return Path(os.path.relpath(target.resolve(), document.parent.resolve())).as_posix()
