"""PNG figures for the reports: headless matplotlib, Japanese labels when a font allows."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # stages run headless: in CI, over SSH, in containers
import matplotlib.pyplot as plt
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..core.artifacts import atomic_path
from ..core.texts import LANGUAGE, Language, text

# Fonts that draw Japanese; figure labels use Japanese only when one is installed.
JAPANESE_FONTS = ("Noto Sans CJK JP", "IPAexGothic", "IPAGothic", "Hiragino Sans", "Yu Gothic")


@cache
def figure_language() -> Language:
    """Japanese figure labels need a Japanese font; without one, labels stay English
    rather than turning into boxes."""
    if LANGUAGE == "en":
        return "en"
    installed = {font.name for font in font_manager.fontManager.ttflist}
    return "ja" if installed.intersection(JAPANESE_FONTS) else "en"


def figure_text(key: str, **values: object) -> str:
    """A figure label or title: the project's language when a font can draw it."""
    return text(key, figure_language(), **values)


@cache
def use_label_font() -> None:
    """Draw Japanese labels with a Japanese font when the figures are in Japanese. Once
    per process: every figure shares the setting."""
    if figure_language() == "ja":
        plt.rcParams["font.sans-serif"] = [*JAPANESE_FONTS, *plt.rcParams["font.sans-serif"]]


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


def remove_stale(figures_dir: Path, owned: tuple[str, ...], written: dict[str, Path]) -> None:
    """Delete the files in `owned` that this run did not write: a figure of the previous
    task or data (a ROC curve after switching to regression) must not outlive it."""
    kept = {path.name for path in written.values()}
    for name in owned:
        if name not in kept:
            (figures_dir / name).unlink(missing_ok=True)
