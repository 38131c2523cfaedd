"""How each metric is computed for each task (their directions live in goal.py)."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.metrics import (
    accuracy_score,
    f1_score,
    make_scorer,
    mean_absolute_error,
    r2_score,
    roc_auc_score,
    root_mean_squared_error,
)

from .dataset import DatasetSchema
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
    return {
        "roc_auc": "roc_auc" if binary else "roc_auc_ovr",
        "f1": make_scorer(f1_score, pos_label=positive)
        if binary
        else make_scorer(f1_score, average="macro"),
        "accuracy": "accuracy",
    }


def sign(task: str, metric: str) -> float:
    """-1 for the metrics sklearn reports negated (errors), +1 otherwise."""
    return -1.0 if DIRECTIONS[task][metric] == "minimize" else 1.0


def score(
    model: BaseEstimator, features: Any, labels: Any, schema: DatasetSchema
) -> dict[str, float]:
    """Every metric of the task for a fitted model on one dataset."""
    predictions = model.predict(features)
    if schema.task == "regression":
        return {
            "rmse": float(root_mean_squared_error(labels, predictions)),
            "mae": float(mean_absolute_error(labels, predictions)),
            "r2": float(r2_score(labels, predictions)),
        }
    classes = list(model.classes_)
    probabilities = model.predict_proba(features)
    if len(classes) == 2:
        positive = classes[-1]
        return {
            "roc_auc": float(roc_auc_score(np.asarray(labels) == positive, probabilities[:, 1])),
            "f1": float(f1_score(labels, predictions, pos_label=positive)),
            "accuracy": float(accuracy_score(labels, predictions)),
        }
    return {
        "roc_auc": float(roc_auc_score(labels, probabilities, multi_class="ovr", labels=classes)),
        "f1": float(f1_score(labels, predictions, average="macro")),
        "accuracy": float(accuracy_score(labels, predictions)),
    }
