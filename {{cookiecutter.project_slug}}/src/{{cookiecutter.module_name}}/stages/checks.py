"""Checks behind the test report: the goal metric per slice of the holdout rows, and the
service-level path (input processing, load, predict, output processing)."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.pipeline import Pipeline

from ..core.dataset import PreparedData, as_text, records_frame
from ..core.evaluation import (
    IMPORTANCE_REPEATS,
    MIN_SLICE_ROWS,
    Coefficient,
    FeatureImportance,
    ServiceCheck,
    SliceScore,
)
from ..core.metrics import (
    Predictions,
    block_scores,
    interval,
    predict,
    score_predictions,
    sign,
)
from ..core.model_io import reproduces

MAX_SLICE_VALUES = 10  # a column with more distinct values is not sliced
AGE_BANDS = (0, 40, 50, 60, 200)  # <40, 40-49, 50-59, 60+
MISSING_GROUP = "(missing)"  # the slice of rows without a value, listed last


def as_labels(values: pd.Series) -> pd.Series:
    """Group labels in their natural order (numbers by value, whole numbers without
    ".0"; text alphabetically; bands as defined), missing values last as a group."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        order = [str(label) for label in values.cat.categories]
        text = values.astype(object).map(str, na_action="ignore")
    elif pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        present = np.sort(values.dropna().unique())
        whole = bool(np.all(np.mod(present, 1) == 0))
        shown = {value: f"{value:.0f}" if whole else f"{value:g}" for value in present}
        order = [shown[value] for value in present]
        text = values.map(shown, na_action="ignore")
    else:
        text = as_text(values)
        order = sorted(text.dropna().unique())
    labelled = text.where(values.notna(), MISSING_GROUP)
    return pd.Series(
        pd.Categorical(labelled, categories=[*order, MISSING_GROUP]), index=values.index
    ).cat.remove_unused_categories()


def slice_groups(holdout: pd.DataFrame, prepared: PreparedData) -> dict[str, pd.Series]:
    """Columns to slice by: categories and few-valued numbers as they are, age in bands."""
    groups: dict[str, pd.Series] = {}
    for name in prepared.schema.features:
        column = holdout[name]
        if name == "age" and name in prepared.schema.numeric:
            bands = pd.cut(column, AGE_BANDS, right=False, labels=["<40", "40-49", "50-59", "60+"])
            groups[name] = as_labels(bands)
        elif column.nunique() <= MAX_SLICE_VALUES:
            groups[name] = as_labels(column)
    return groups


def slice_score(
    labels: pd.Series,
    predicted: Predictions,
    classes: int,
    metric: str,
    worth: dict[str, float] | None = None,
) -> float:
    """The metric on a group of rows, or NaN where it means nothing: too few rows to act
    on, or ROC AUC on a group missing one of the `classes`."""
    if len(labels) < MIN_SLICE_ROWS or (metric == "roc_auc" and labels.nunique() != classes):
        return math.nan
    with warnings.catch_warnings():
        warnings.simplefilter("error", UndefinedMetricWarning)
        try:
            return score_predictions(labels, predicted, worth)[metric]
        except (ValueError, UndefinedMetricWarning):
            return math.nan


def slice_scores(
    prepared: PreparedData,
    predicted: Predictions,
    metric: str,
    seed: int,
    worth: dict[str, float] | None = None,
) -> list[SliceScore]:
    """The metric per group of the holdout rows, with its bootstrap interval, from the
    model's answers for all of them (`predicted`); groups where it is undefined are left
    out (the report says which)."""
    holdout = prepared.holdout
    labels = prepared.labels(holdout)
    classes = len(prepared.schema.classes or [])
    scores: list[SliceScore] = []
    for name, groups in slice_groups(holdout, prepared).items():
        for group in groups.cat.categories:
            rows = (groups == group).to_numpy()
            answers = predicted.take(rows)
            value = slice_score(labels[rows], answers, classes, metric, worth)
            if math.isfinite(value):
                spread = interval(labels[rows], answers, metric, seed, worth)
                scores.append(SliceScore(name, str(group), int(rows.sum()), value, spread))
    return scores


IMPORTANCE_ROWS = 5_000  # a larger holdout is sampled: each shuffle predicts every row
# Shuffled copies of the holdout predicted in one call: the feature pipeline's fixed cost
# per call, not the rows, dominated when each shuffle was predicted alone.
IMPORTANCE_BATCH_ROWS = 100_000


def shuffled(column: pd.Series, order: np.ndarray) -> pd.Series:
    """The column's values in `order`, with its type (a category stays a category)."""
    return column.iloc[order].reset_index(drop=True)


def permutation_importances(
    model: Pipeline, prepared: PreparedData, metric: str, seed: int
) -> list[FeatureImportance]:
    """Permutation importance on the holdout rows, most important first: the drop in
    `metric` (in its own units, positive when shuffling hurts) over IMPORTANCE_REPEATS
    seeded shuffles of each feature."""
    holdout = prepared.holdout
    if len(holdout) > IMPORTANCE_ROWS:
        holdout = holdout.sample(IMPORTANCE_ROWS, random_state=seed)
    features = prepared.features(holdout).reset_index(drop=True)
    labels = np.asarray(prepared.labels(holdout))
    task = prepared.schema.task
    baseline = block_scores(labels, predict(model, features, task), metric, blocks=1)[0]
    generator = np.random.default_rng(seed)
    shuffles = [
        (name, generator.permutation(len(features)))
        for name in features.columns
        for _ in range(IMPORTANCE_REPEATS)
    ]
    per_call = max(1, IMPORTANCE_BATCH_ROWS // max(len(features), 1))
    shuffled_scores: list[np.ndarray] = []
    for start in range(0, len(shuffles), per_call):
        batch = shuffles[start : start + per_call]
        stacked = pd.concat(
            [features.assign(**{name: shuffled(features[name], order)}) for name, order in batch],
            ignore_index=True,
        )
        answers = predict(model, stacked, task)
        shuffled_scores.append(block_scores(labels, answers, metric, blocks=len(batch)))
    drops = sign(task, metric) * (baseline - np.concatenate(shuffled_scores))
    by_feature = drops.reshape(len(features.columns), IMPORTANCE_REPEATS)
    found = [
        FeatureImportance(str(name), float(row.mean()), float(row.std()))
        for name, row in zip(features.columns, by_feature, strict=True)
    ]
    return sorted(found, key=lambda item: -item.drop)


COEFFICIENTS_SHOWN = 10  # the largest weights, by size


def linear_coefficients(model: Pipeline) -> list[Coefficient]:
    """A linear model's largest weights by size, named by the feature pipeline's outputs
    (numeric inputs standardised, so a weight is per standard deviation; categories one
    column each). More than two classes: each input's largest weight and its class.
    Empty for a model without coefficients (trees, ensembles)."""
    # A two-class model with a decision threshold wraps its fitted estimator.
    estimator = getattr(model[-1], "estimator_", model[-1])
    weights = getattr(estimator, "coef_", None)
    if weights is None:
        return []
    names = model[:-1].get_feature_names_out()
    table = np.atleast_2d(np.asarray(weights, dtype=float))
    if table.shape[0] == 1:
        found = [
            Coefficient(str(name), float(weight))
            for name, weight in zip(names, table[0], strict=True)
        ]
    else:
        largest = np.abs(table).argmax(axis=0)
        found = [
            Coefficient(str(name), float(table[row, column]), estimator.classes_[row])
            for column, (name, row) in enumerate(zip(names, largest, strict=True))
        ]
    return sorted(found, key=lambda item: -abs(item.weight))[:COEFFICIENTS_SHOWN]


def service_checks(
    model: Pipeline, record: dict[str, Any], prepared: PreparedData, served: Predictions
) -> list[ServiceCheck]:
    """The production path for `model`, which evaluate loaded from its file through the
    package's loader (hash and trusted types checked, or it stops with an error): the
    inputs a caller sends, the predictions recorded when it was trained, and the
    outputs a caller receives (`served`: its answers for the holdout rows)."""
    features = prepared.features(prepared.holdout)
    has_inputs = list(features.columns) == prepared.schema.features
    example = record["example"]
    recorded = records_frame(example["features"], prepared.schema)
    same = reproduces(np.asarray(model.predict(recorded)), example["predictions"])
    if prepared.schema.task == "regression":
        valid_output = bool(np.isfinite(served.values.astype(float)).all())
    else:
        valid_output = set(served.values.tolist()) <= set(prepared.schema.classes or [])
    return [
        ServiceCheck("input", has_inputs),
        ServiceCheck("load", True),  # reaching here means the loader accepted the file
        ServiceCheck("predict", same),
        ServiceCheck("output", valid_output),
    ]
