"""The estimators a params.yaml may name, per task.

Add your own here: a name and the estimator class as "module:Class". Classes are named,
not imported, so validating params.yaml (and `--help`) loads no scientific library.
Hyper-parameters from params.yaml `model.params` are applied with `set_params`, so
sklearn validates them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import PipelineError
from .texts import text

if TYPE_CHECKING:
    from sklearn.base import BaseEstimator

ESTIMATORS: dict[str, dict[str, str]] = {
    "regression": {
        "ridge": "sklearn.linear_model:Ridge",
        "linear": "sklearn.linear_model:LinearRegression",
        "random_forest": "sklearn.ensemble:RandomForestRegressor",
        "hist_gradient_boosting": "sklearn.ensemble:HistGradientBoostingRegressor",
    },
    "classification": {
        "logistic": "sklearn.linear_model:LogisticRegression",
        "random_forest": "sklearn.ensemble:RandomForestClassifier",
        "hist_gradient_boosting": "sklearn.ensemble:HistGradientBoostingClassifier",
    },
}
BASELINES = {
    "regression": "sklearn.dummy:DummyRegressor",
    "classification": "sklearn.dummy:DummyClassifier",
}


def estimator_class(reference: str) -> type[BaseEstimator]:
    """The class a "module:Class" reference names."""
    module, _, name = reference.partition(":")
    found: type[BaseEstimator] = getattr(importlib.import_module(module), name)
    return found


def unknown_hyperparameters(
    estimator: BaseEstimator, name: str, params: dict[str, Any], where: str = "model.params"
) -> list[str]:
    """`WHERE.KEY: not a hyper-parameter of NAME (valid: ...)` for each key of `params`
    the estimator does not take (`where`: the params.yaml key holding them)."""
    accepted = estimator.get_params()
    valid = ", ".join(sorted(accepted))
    return [
        text("error.not_a_hyperparameter", where=f"{where}.{key}", model=name, valid=valid)
        for key in sorted(set(params) - set(accepted))
    ]


def make_estimator(task: str, name: str, params: dict[str, Any], seed: int) -> BaseEstimator:
    """Build the named estimator with its hyper-parameters and a fixed random state."""
    estimator = estimator_class(ESTIMATORS[task][name])()
    unknown = unknown_hyperparameters(estimator, name, params)
    if unknown:
        raise PipelineError(f"params.yaml: {unknown[0]}")
    accepted = estimator.get_params()
    settings = dict(params)
    if "random_state" in accepted and "random_state" not in settings:
        settings["random_state"] = seed
    estimator.set_params(**settings)
    return estimator


def make_baseline(task: str) -> BaseEstimator:
    """A model that ignores the features: what the real model must beat (the mean, or
    the class shares)."""
    strategy = "prior" if task == "classification" else "mean"
    baseline: BaseEstimator = estimator_class(BASELINES[task])(strategy=strategy)
    return baseline
