"""How each metric is computed for each task (their directions live in goal.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    f1_score,
    make_scorer,
    mean_absolute_error,
    precision_recall_fscore_support,
    r2_score,
    roc_auc_score,
    root_mean_squared_error,
)

from .dataset import DatasetSchema
from .errors import PipelineError
from .evaluation import ClassScore
from .goal import DIRECTIONS


def cv_scorers(schema: DatasetSchema) -> dict[str, Any]:
    """Scorers for cross_validate, all following sklearn's greater-is-better convention."""
    if schema.task == "regression":
        return {
            "rmse": "neg_root_mean_squared_error",
            "mae": "neg_mean_absolute_error",
            "r2": "r2",
        }
    binary = len(schema.classes or []) == 2
    positive = (schema.classes or [None])[-1]
    macro_f1 = make_scorer(f1_score, average="macro", zero_division=0)
    return {
        "roc_auc": "roc_auc" if binary else "roc_auc_ovr",
        "f1": make_scorer(f1_score, pos_label=positive, zero_division=0) if binary else macro_f1,
        "f1_macro": macro_f1,
        "balanced_accuracy": "balanced_accuracy",
        "accuracy": "accuracy",
    }


def sign(task: str, metric: str) -> float:
    """-1 for the metrics sklearn reports negated (errors), +1 otherwise."""
    return -1.0 if DIRECTIONS[task][metric] == "minimize" else 1.0


@dataclass(frozen=True)
class Predictions:
    """A fitted model's answers for a set of rows, computed once and then scored as a
    whole, per slice and per class, and drawn: each predict call runs the whole feature
    pipeline again."""

    values: np.ndarray  # the predicted target, or class label, per row
    probabilities: np.ndarray | None  # classification: a column per class, in `classes`
    classes: list[Any]  # the classifier's classes in its own order; [] for regression

    def take(self, rows: np.ndarray) -> Predictions:
        """The answers for some of the rows (a boolean mask or positions)."""
        probabilities = None if self.probabilities is None else self.probabilities[rows]
        return Predictions(self.values[rows], probabilities, self.classes)


def predict(model: BaseEstimator, features: Any, task: str) -> Predictions:
    if task == "regression":
        return Predictions(np.asarray(model.predict(features)), None, [])
    return Predictions(
        np.asarray(model.predict(features)),
        np.asarray(model.predict_proba(features)),
        list(model.classes_),
    )


def score(
    model: BaseEstimator,
    features: Any,
    labels: Any,
    schema: DatasetSchema,
    worth: dict[str, float] | None = None,
) -> dict[str, float]:
    """Every metric of the task for a fitted model on one dataset; with `worth` (the
    goal's values for the task), the expected value of a prediction too."""
    return score_predictions(labels, predict(model, features, schema.task), worth)


def expected_value(labels: Any, predicted: Predictions, worth: dict[str, float]) -> float:
    """The mean value of one prediction. Regression: each unit of error below or above
    the outcome at its value. Two classes: each kind of answer at its value, the last of
    the classes being the positive one."""
    truth = np.asarray(labels)
    if predicted.probabilities is None:
        error = np.asarray(predicted.values, dtype=float) - truth.astype(float)
        under, over = np.clip(-error, 0, None), np.clip(error, 0, None)
        return float(np.mean(worth["per_unit_under"] * under + worth["per_unit_over"] * over))
    if len(predicted.classes) != 2:
        raise PipelineError(
            f"the business goal's value block is for two classes; "
            f"this target has {len(predicted.classes)}"
        )
    positive = predicted.classes[-1]
    actual, called = truth == positive, np.asarray(predicted.values) == positive
    outcomes = {
        "true_positive": actual & called,
        "false_negative": actual & ~called,
        "false_positive": ~actual & called,
        "true_negative": ~actual & ~called,
    }
    total = sum(worth[kind] * float(rows.sum()) for kind, rows in outcomes.items())
    return total / len(truth)


def score_predictions(
    labels: Any, predicted: Predictions, worth: dict[str, float] | None = None
) -> dict[str, float]:
    """Every metric of the task for answers already predicted (and `value` with `worth`)."""
    scores = task_scores(labels, predicted)
    if worth is not None:
        scores["value"] = expected_value(labels, predicted, worth)
    return scores


def task_scores(labels: Any, predicted: Predictions) -> dict[str, float]:
    values = predicted.values
    if predicted.probabilities is None:
        return {
            "rmse": float(root_mean_squared_error(labels, values)),
            "mae": float(mean_absolute_error(labels, values)),
            "r2": float(r2_score(labels, values)),
        }
    classes = predicted.classes
    probabilities = predicted.probabilities
    # zero_division=0: a class the model never predicts scores 0, without a warning.
    macro_f1 = float(f1_score(labels, values, average="macro", zero_division=0))
    shared = {
        "f1_macro": macro_f1,
        "balanced_accuracy": float(balanced_accuracy_score(labels, values)),
        "accuracy": float(accuracy_score(labels, values)),
    }
    if len(classes) == 2:
        positive = classes[-1]
        return {
            "roc_auc": float(roc_auc_score(np.asarray(labels) == positive, probabilities[:, 1])),
            "f1": float(f1_score(labels, values, pos_label=positive, zero_division=0)),
            **shared,
        }
    return {
        "roc_auc": float(roc_auc_score(labels, probabilities, multi_class="ovr", labels=classes)),
        "f1": macro_f1,
        **shared,
    }


def class_scores(labels: Any, predicted: Predictions) -> list[ClassScore]:
    """Per class of a classifier: its rows among `labels`, precision, recall and F1."""
    classes = predicted.classes
    precision, recall, f1, support = precision_recall_fscore_support(
        labels, predicted.values, labels=classes, zero_division=0
    )
    return [
        ClassScore(label, int(rows), float(p), float(r), float(f))
        for label, rows, p, r, f in zip(classes, support, precision, recall, f1, strict=True)
    ]
