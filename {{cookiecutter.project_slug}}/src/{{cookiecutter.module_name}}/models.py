"""The estimators a params.yaml may name, per task.

Add your own here: a name and a zero-argument factory. Hyper-parameters from
params.yaml `model.params` are applied with `set_params`, so sklearn validates them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sklearn.base import BaseEstimator
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge

from .errors import PipelineError

ESTIMATORS: dict[str, dict[str, Callable[[], BaseEstimator]]] = {
    "regression": {
        "ridge": Ridge,
        "linear": LinearRegression,
        "random_forest": RandomForestRegressor,
        "hist_gradient_boosting": HistGradientBoostingRegressor,
    },
    "classification": {
        "logistic": LogisticRegression,
        "random_forest": RandomForestClassifier,
        "hist_gradient_boosting": HistGradientBoostingClassifier,
    },
}


def make_estimator(task: str, name: str, params: dict[str, Any], seed: int) -> BaseEstimator:
    """Build the named estimator with its hyper-parameters and a fixed random state."""
    estimator = ESTIMATORS[task][name]()
    accepted = estimator.get_params()
    unknown = sorted(set(params) - set(accepted))
    if unknown:
        raise PipelineError(
            f"params.yaml: model.params.{unknown[0]}: not a hyper-parameter of {name} "
            f"(valid: {', '.join(sorted(accepted))})"
        )
    settings = dict(params)
    if "random_state" in accepted and "random_state" not in settings:
        settings["random_state"] = seed
    estimator.set_params(**settings)
    return estimator


def make_baseline(task: str) -> BaseEstimator:
    """A model that ignores the features: what the real model must beat."""
    if task == "classification":
        return DummyClassifier(strategy="prior")
    return DummyRegressor(strategy="mean")
