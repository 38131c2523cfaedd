"""The tuning figure: each trial's cross-validated score, the best so far, and where
params.yaml's values started."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..core.tuning import Tuning
from .figures import figure_text, new_figure, save_figure

FIGURE_FILE = "tuning.png"


def plot_trials(tuning: Tuning, figures_dir: Path) -> Path:
    numbers = np.array([trial.number for trial in tuning.trials])
    scores = np.array([trial.score for trial in tuning.trials])
    # Best so far in the metric's own direction; failed trials (NaN) do not count.
    direction = tuning.oriented(1.0)
    oriented = np.where(np.isfinite(scores), direction * scores, -np.inf)
    best_so_far = direction * np.maximum.accumulate(oriented)
    figure, axes = new_figure()
    axes.scatter(numbers, scores, s=14, alpha=0.7, label=figure_text("plot.trial"))
    axes.plot(numbers, best_so_far, color="tab:orange", label=figure_text("plot.best_so_far"))
    axes.axhline(
        tuning.start.score, color="grey", linestyle="--", label=figure_text("plot.tune_start")
    )
    axes.set_xlabel(figure_text("plot.trial_number"))
    axes.set_ylabel(figure_text("plot.cv_metric", metric=tuning.metric))
    axes.set_title(figure_text("plot.tuning", model=tuning.model))
    axes.legend()
    return save_figure(figure, figures_dir / FIGURE_FILE)
