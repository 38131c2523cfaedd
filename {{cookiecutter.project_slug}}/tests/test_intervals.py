"""Bootstrap intervals of the holdout metrics, against what theory and scikit-learn say."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from {{ cookiecutter.module_name }}.core import metrics
from {{ cookiecutter.module_name }}.core.metrics import (
    Predictions,
    interval,
    resampled_auc,
)


@pytest.mark.parametrize("rows", [4_000, 4 * metrics.RESAMPLED_ROWS])
def test_an_mae_interval_matches_the_normal_approximation(rows: int) -> None:
    """For n independent errors, the mean absolute error's 95% interval is about its
    value plus or minus 1.96 standard errors; above RESAMPLED_ROWS rows too, where the
    interval comes from a sample with its width scaled."""
    generator = np.random.default_rng(rows)
    labels = generator.normal(100, 20, rows)
    values = labels + generator.normal(0, 10, rows)
    spread = interval(labels, Predictions(values, None, []), "mae", seed=1)
    assert spread is not None
    errors = np.abs(values - labels)
    half_width = 1.96 * errors.std(ddof=1) / np.sqrt(rows)
    assert spread[0] == pytest.approx(errors.mean() - half_width, abs=0.25 * half_width)
    assert spread[1] == pytest.approx(errors.mean() + half_width, abs=0.25 * half_width)


def test_the_resampled_auc_is_scikit_learns_on_each_resample() -> None:
    generator = np.random.default_rng(2)
    labels = generator.integers(0, 2, 300)
    scores = np.round(labels * 0.3 + generator.random(300), 2)  # rounded: ties count half
    probabilities = np.column_stack([1 - scores, scores])
    predicted = Predictions((scores > 0.65).astype(int), probabilities, [0, 1])
    rows = generator.integers(0, 300, (5, 300))
    found = resampled_auc(labels == 1, predicted, rows)
    expected = [roc_auc_score(labels[resample], scores[resample]) for resample in rows]
    assert found == pytest.approx(expected)


def test_metrics_without_a_formula_get_no_interval() -> None:
    predicted = Predictions(np.array([0, 1, 1]), np.zeros((3, 2)), [0, 1])
    assert interval(np.array([0, 1, 0]), predicted, "f1", seed=0) is None
