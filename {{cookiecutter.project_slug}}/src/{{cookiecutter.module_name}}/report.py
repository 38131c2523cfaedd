"""Small helpers the report-writing stages share: Markdown tables and PNG figures."""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # stages run headless: in CI, over SSH, in containers
import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .artifacts import atomic_path
from .texts import JAPANESE_FONTS, figure_language, text


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    def cell(value: object) -> str:
        shown = f"{value:.4g}" if isinstance(value, float) else str(value)
        return shown.replace("|", "\\|").replace("\n", " ")

    lines = [
        "| " + " | ".join(headers) + " |",
        "| " + " | ".join("---" for _ in headers) + " |",
        *("| " + " | ".join(cell(value) for value in row) + " |" for row in rows),
    ]
    return "\n".join(lines)


@cache
def use_label_font() -> None:
    """Draw Japanese labels with a Japanese font when the figures are in Japanese. Once
    per process: every figure shares the setting."""
    if figure_language() == "ja":
        plt.rcParams["font.sans-serif"] = [*JAPANESE_FONTS, *plt.rcParams["font.sans-serif"]]


def exercise_section(questions: Sequence[tuple[str, str]]) -> list[str]:
    """The closing "communication exercise": whom to ask what, before acting on a report."""
    return [
        f"## {text('exercise')}",
        "",
        text("exercise.intro"),
        "",
        markdown_table(
            [text("role"), text("question")], [[text(role), text(ask)] for role, ask in questions]
        ),
    ]


def new_figure(width: float = 6.0, height: float = 4.0) -> tuple[Figure, Axes]:
    use_label_font()
    figure, axes = plt.subplots(figsize=(width, height), layout="constrained")
    return figure, axes


def new_figure_row(count: int, width: float, height: float) -> tuple[Figure, list[Axes]]:
    use_label_font()
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
