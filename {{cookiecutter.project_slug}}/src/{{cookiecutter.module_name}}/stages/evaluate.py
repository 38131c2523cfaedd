"""Stage 5, evaluate (the workshop's Test): judge the candidate on the holdout split.

Scores the candidate and a dummy baseline on the same holdout rows, applies the business
goal's gate, and writes reports/metrics.json, the test report with figures, and the
candidate's model card (reports/model_card.md, which register keeps with the version).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ..core.artifacts import sha256_file, write_json, write_text
from ..core.dataset import DatasetSchema, PreparedData
from ..core.evaluation import (
    DataChange,
    DecisionThreshold,
    Evaluation,
    TestLevels,
    data_change,
    decide,
)
from ..core.goal import BusinessGoal, judge, scorer_metric
from ..core.metrics import (
    Predictions,
    calibration,
    class_scores,
    confusion_counts,
    interval,
    predict,
    range_errors,
    score,
    score_predictions,
    value_at,
)
from ..core.model_io import MODEL_CARD_FILE
from ..core.models import make_baseline
from ..core.paths import TEST_FIGURES
from ..registry.base import ModelRegistry, champion_version, get_version
from ..reports.model_card import render_model_card
from ..reports.test_report import plot_figures, render_report
from .checks import (
    linear_coefficients,
    permutation_importances,
    service_checks,
    slice_scores,
)
from .train import load_candidate

METRICS_FILE = "metrics.json"
REPORT_FILE = "06_test_report.md"


def champion_change(
    registry: ModelRegistry, version: int, prepared: PreparedData
) -> DataChange | None:
    """What differs between the data the champion was registered with and this data
    (versions registered without a schema are taken to match)."""
    registered = get_version(registry, version).lineage.get("schema")
    return data_change(registered, prepared.schema) if registered else None


def prediction_worth(goal: BusinessGoal, schema: DatasetSchema) -> dict[str, float] | None:
    """The goal's values for this task, when it gives them. A two-class block on a target
    of more classes is left out, unless it is the gate (then scoring says why not)."""
    worth = goal.values_for(schema.task)
    two_classes = schema.task == "regression" or len(schema.classes or []) == 2
    return worth if two_classes or goal.metric == "value" else None


def decision_threshold(
    record: dict[str, Any],
    labels: pd.Series,
    predicted: Predictions,
    holdout: dict[str, float],
    worth: dict[str, float] | None,
) -> DecisionThreshold | None:
    """The candidate's decision threshold (train's record), with the holdout's value of
    an answer at it and at 0.5 when the goal gives values: what the threshold earns."""
    threshold = record.get("decision_threshold")
    if threshold is None:
        return None
    chosen_for_value = record["params"]["model"].get("decision_threshold") == "value"
    if worth is None:
        return DecisionThreshold(threshold, chosen_for_value)
    at_half = value_at(labels, predicted, 0.5, worth)
    return DecisionThreshold(threshold, chosen_for_value, holdout["value"], at_half)


def evaluate(
    prepared: PreparedData,
    candidate_dir: Path,
    goal: BusinessGoal,
    reports_dir: Path,
    report_path: Path,
    registry: ModelRegistry,
    use: str = "",
) -> Evaluation:
    """Score the candidate, the dummy and the champion on the holdout split; decide.
    `use`: who uses the predictions and for what, for the model card (the business goal
    document's first section: reports/model_card.py, intended_use)."""
    model, record = load_candidate(candidate_dir)
    features = prepared.features(prepared.holdout)
    labels = prepared.labels(prepared.holdout)
    # The candidate's answers, once: scored, sliced, checked and drawn below.
    predicted = predict(model, features, prepared.schema.task)
    worth = prediction_worth(goal, prepared.schema)
    holdout = score_predictions(labels, predicted, worth)
    baseline_model = make_baseline(prepared.schema.task).fit(
        prepared.features(prepared.train), prepared.labels(prepared.train)
    )
    baseline = score(baseline_model, features, labels, prepared.schema, worth)
    version = champion_version(registry)
    change = champion_change(registry, version, prepared) if version is not None else None
    # The champion is re-scored on this holdout, so both models face the same rows; one
    # trained on other data (another task, target or features) cannot read them, so it
    # is not even loaded.
    champion_scores = (
        score(registry.load(version), features, labels, prepared.schema, worth)
        if version is not None and change is None
        else None
    )
    verdict = judge(goal, holdout, baseline)
    seed = int(record["params"]["seed"])  # the resamples and shuffles below
    measured_in = scorer_metric(goal.metric, prepared.schema.task)
    evaluation = Evaluation(
        holdout=holdout,
        baseline=baseline,
        cv=record["cv"],
        goal=verdict,
        record=record,
        champion_version=version,
        champion=champion_scores,
        decision=decide(goal, verdict, champion_scores, change, version),
        champion_change=change,
        interval=interval(labels, predicted, goal.metric, seed, worth),
        threshold=decision_threshold(record, labels, predicted, holdout, worth),
    )
    calibrated = calibration(labels, predicted)
    figures = plot_figures(prepared, predicted, reports_dir / TEST_FIGURES, calibrated)
    checks = TestLevels(
        slices=slice_scores(prepared, predicted, goal.metric, seed, worth),
        service=service_checks(model, record, prepared, predicted),
        classes=class_scores(labels, predicted) if predicted.classes else [],
        ranges=range_errors(labels, predicted) if not predicted.classes else [],
        importances=permutation_importances(model, prepared, measured_in, seed),
        importance_metric=measured_in,
        confusion=confusion_counts(labels, predicted) if predicted.classes else [],
        calibration=calibrated,
        coefficients=linear_coefficients(model),
    )
    write_text(report_path, render_report(evaluation, goal, prepared, checks, figures, report_path))
    card = reports_dir / MODEL_CARD_FILE
    write_text(card, render_model_card(evaluation, goal, prepared, checks, use))
    # Register stores the card only as written here (core/model_io.py: MODEL_CARD_FILE).
    write_json(
        reports_dir / METRICS_FILE, {**evaluation.to_dict(), "model_card_sha256": sha256_file(card)}
    )
    return evaluation
