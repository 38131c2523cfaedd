"""The classification parts of the test report (confusion matrix, calibration, Brier
score) and a linear model's coefficients, against numbers worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeRegressor

from {{ cookiecutter.module_name }}.core.metrics import (
    Predictions,
    calibration,
    confusion_counts,
)
from {{ cookiecutter.module_name }}.stages.checks import linear_coefficients


def two_class_answers(probabilities: list[float], threshold: float = 0.5) -> Predictions:
    positive = np.array(probabilities)
    values = np.where(positive >= threshold, "yes", "no")
    return Predictions(values, np.column_stack([1 - positive, positive]), ["no", "yes"])


def test_the_confusion_matrix_counts_each_kind_of_answer() -> None:
    labels = ["no", "no", "no", "yes", "yes", "yes"]
    predicted = two_class_answers([0.1, 0.7, 0.2, 0.9, 0.6, 0.8])
    # actual no: predicted no twice, yes once; actual yes: yes three times
    assert confusion_counts(labels, predicted) == [[2, 1], [0, 3]]


def test_calibration_bins_and_brier_score_match_a_hand_count() -> None:
    # 20 rows at 0.2 (5 of them positive) and 20 at 0.8 (12 positive).
    probabilities = [0.2] * 20 + [0.8] * 20
    labels = ["yes"] * 5 + ["no"] * 15 + ["yes"] * 12 + ["no"] * 8
    found = calibration(labels, two_class_answers(probabilities))
    assert found is not None
    assert found.positive == "yes"
    assert [item.rows for item in found.bins] == [20, 20]
    assert [item.predicted for item in found.bins] == pytest.approx([0.2, 0.8])
    assert [item.observed for item in found.bins] == pytest.approx([0.25, 0.6])
    # Brier: (5 x 0.8^2 + 15 x 0.2^2 + 12 x 0.2^2 + 8 x 0.8^2) / 40
    assert found.brier == pytest.approx((13 * 0.64 + 27 * 0.04) / 40)
    share = 17 / 40
    assert found.prior_brier == pytest.approx(share * (1 - share))


def test_a_constant_probability_is_one_bin_and_more_classes_get_none() -> None:
    found = calibration(["yes", "no"] * 20, two_class_answers([0.5] * 40))
    assert found is not None
    assert [(item.rows, item.observed) for item in found.bins] == [(40, 0.5)]
    three = Predictions(np.array(["a"]), np.array([[0.5, 0.3, 0.2]]), ["a", "b", "c"])
    assert calibration(["a"], three) is None


def standardised(estimator: object) -> Pipeline:
    features = ColumnTransformer([("numeric", StandardScaler(), ["x1", "x2"])])
    return Pipeline([("features", features), ("model", estimator)])


def test_coefficients_are_per_standard_deviation_largest_first() -> None:
    generator = np.random.default_rng(0)
    frame = pd.DataFrame({"x1": generator.normal(0, 3, 200), "x2": generator.normal(0, 1, 200)})
    target = 2 * frame["x1"] - 5 * frame["x2"]
    model = standardised(LinearRegression()).fit(frame, target)
    found = linear_coefficients(model)
    # y = 2 x1 - 5 x2, so per standard deviation: 2 sd(x1) and -5 sd(x2).
    expected = {
        "numeric__x1": 2 * frame["x1"].std(ddof=0),
        "numeric__x2": -5 * frame["x2"].std(ddof=0),
    }
    assert [item.feature for item in found] == sorted(
        expected, key=lambda name: -abs(expected[name])
    )
    assert {item.feature: item.weight for item in found} == pytest.approx(expected)
    assert all(item.label is None for item in found)


def test_more_classes_name_the_class_of_each_largest_weight() -> None:
    generator = np.random.default_rng(1)
    frame = pd.DataFrame({"x1": generator.normal(0, 1, 300), "x2": generator.normal(0, 1, 300)})
    # x1 alone separates "high" from the rest; x2 alone separates "wide".
    labels = np.where(frame["x1"] > 0.8, "high", np.where(frame["x2"] > 0.8, "wide", "low"))
    model = standardised(LogisticRegression(max_iter=1000)).fit(frame, labels)
    found = {item.feature: item for item in linear_coefficients(model)}
    assert (found["numeric__x1"].label, found["numeric__x2"].label) == ("high", "wide")
    assert found["numeric__x1"].weight > 0
    assert found["numeric__x2"].weight > 0


def test_a_model_without_coefficients_has_none() -> None:
    frame = pd.DataFrame({"x1": [0.0, 1.0, 2.0], "x2": [1.0, 0.0, 1.0]})
    model = standardised(DecisionTreeRegressor()).fit(frame, [0.0, 1.0, 2.0])
    assert linear_coefficients(model) == []
