"""Targets a team's own table may have: text classes (imbalanced), true/false, 0/1, with
the classification bake's class_threshold left as it is."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import UndefinedMetricWarning

from {{ cookiecutter.module_name }}.core.goal import DIRECTIONS, BusinessGoal
from {{ cookiecutter.module_name }}.core.paths import ProjectPaths
from {{ cookiecutter.module_name }}.core.texts import text
from {{ cookiecutter.module_name }}.registry.backend import open_registry
from {{ cookiecutter.module_name }}.stages.evaluate import evaluate
from {{ cookiecutter.module_name }}.stages.prepare import prepare
from {{ cookiecutter.module_name }}.stages.train import load_candidate, train

from .conftest import ParamsFactory, write_patients_csv

CLASSIFIER = {"name": "logistic", "params": {"C": 1.0, "max_iter": 1000}}


def with_target(source: Path, name: str, values: Any) -> None:
    """The patients table with its outcome replaced by another target column."""
    table = pd.read_csv(source).dropna(subset=["outcome"])
    table[name] = values(table)
    table.drop(columns="outcome").to_csv(source, index=False)


def risk_levels(table: pd.DataFrame) -> np.ndarray:
    """Three text classes from the outcome, the "high" one rare (about 10% of rows)."""
    outcome = table["outcome"]
    high, low = outcome.quantile(0.9), outcome.quantile(0.4)
    return np.where(outcome > high, "high", np.where(outcome < low, "low", "medium"))


def classify(paths: ProjectPaths, make_params: ParamsFactory, target: str, **data: Any) -> Any:
    """The classification bake's params (class_threshold: median) on the patients table."""
    return make_params(
        task="classification",
        model=CLASSIFIER,
        data={"source": "patients.csv", "target": target, "class_threshold": "median", **data},
    )


@pytest.mark.parametrize(
    ("values", "classes"),
    [
        (lambda table: (table["outcome"] > table["outcome"].median()).astype(int), [0, 1]),
        (lambda table: table["smoker"] == "yes", [False, True]),
        (risk_levels, ["high", "low", "medium"]),
    ],
    ids=["zero-one", "true-false", "text"],
)
def test_labels_are_classes_as_they_are_whatever_the_threshold(
    paths: ProjectPaths, make_params: ParamsFactory, values: Any, classes: list[Any]
) -> None:
    source = write_patients_csv(paths.root / "patients.csv")
    with_target(source, "label", values)
    prepared = prepare(classify(paths, make_params, "label"), paths.root, paths.interim)
    assert prepared.schema.classes == classes
    assert prepared.schema.class_threshold is None
    # Stratified: every class keeps its share in both splits, to a row.
    train, holdout = (
        frame["label"].value_counts(normalize=True) for frame in (prepared.train, prepared.holdout)
    )
    assert (train - holdout).abs().max() < 0.03


def test_imbalanced_text_classes_are_scored_per_class_without_warnings(
    paths: ProjectPaths, make_params: ParamsFactory
) -> None:
    source = write_patients_csv(paths.root / "patients.csv", rows=400)
    with_target(source, "risk", risk_levels)
    params = classify(paths, make_params, "risk")
    prepared = prepare(params, paths.root, paths.interim)
    goal = BusinessGoal(metric="balanced_accuracy", direction="maximize", threshold=0.5)
    report = paths.docs / "06_test_report.md"
    with warnings.catch_warnings():
        warnings.simplefilter("error", UndefinedMetricWarning)
        warnings.simplefilter("error", RuntimeWarning)
        train(prepared, params, paths.candidate)
        evaluation = evaluate(
            prepared, paths.candidate, goal, paths.reports, report, open_registry(paths)
        )
    metrics = json.loads((paths.reports / "metrics.json").read_text())
    # every metric of the task; value only with a value block in the goal
    assert set(metrics["holdout"]) == set(DIRECTIONS["classification"]) - {"value"}
    # Balanced accuracy is the mean recall over classes: computed here from predictions.
    model, _ = load_candidate(paths.candidate)
    labels = prepared.labels(prepared.holdout).to_numpy()
    predicted = model.predict(prepared.features(prepared.holdout))
    recalls = [np.mean(predicted[labels == label] == label) for label in np.unique(labels)]
    assert evaluation.holdout["balanced_accuracy"] == pytest.approx(np.mean(recalls))
    # The per-class table: each class with its holdout rows and its recall.
    written = report.read_text(encoding="utf-8")
    assert f"### {text('test.classes')}" in written
    counts = pd.Series(labels).value_counts()
    for label, recall in zip(np.unique(labels), recalls, strict=True):
        assert f"| {label} | {counts[label]} |" in written
        assert f"| {recall:.4g} |" in written


def smokers_and_the_north_high(table: pd.DataFrame) -> np.ndarray:
    return np.where((table["smoker"] == "yes") | (table["region"] == "north"), "high", "low")


def test_slices_missing_a_class_are_left_out_of_roc_auc(
    paths: ProjectPaths, make_params: ParamsFactory
) -> None:
    """Smokers are all "high" here, so a ROC AUC of the smoker slice means nothing."""
    source = write_patients_csv(paths.root / "patients.csv")
    with_target(source, "label", smokers_and_the_north_high)
    params = classify(paths, make_params, "label")
    prepared = prepare(params, paths.root, paths.interim)
    train(prepared, params, paths.candidate)
    goal = BusinessGoal(metric="roc_auc", direction="maximize", threshold=0.5)
    evaluate(
        prepared, paths.candidate, goal, paths.reports, paths.docs / "06_test_report.md",
        open_registry(paths),
    )  # fmt: skip
    written = (paths.docs / "06_test_report.md").read_text(encoding="utf-8")
    assert "| `smoker` | yes |" not in written
    assert "| `smoker` | no |" in written
    assert not re.search(r"\bnan\b", written)
