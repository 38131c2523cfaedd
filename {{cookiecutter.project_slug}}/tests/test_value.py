"""The business goal's `value` block: the expected value of one prediction, checked
against sums done by hand, and usable as the gate."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.core.config import Params
from {{ cookiecutter.module_name }}.core.dataset import PreparedData
from {{ cookiecutter.module_name }}.core.errors import PipelineError
from {{ cookiecutter.module_name }}.core.goal import BusinessGoal, OutcomeValues
from {{ cookiecutter.module_name }}.core.metrics import Predictions, expected_value
from {{ cookiecutter.module_name }}.core.paths import ProjectPaths
from {{ cookiecutter.module_name }}.registry.base import ModelRegistry
from {{ cookiecutter.module_name }}.stages.evaluate import evaluate, prediction_worth
from {{ cookiecutter.module_name }}.stages.train import load_candidate, train

from .messages import says

CALLS = {"true_positive": 300.0, "false_negative": -500.0, "false_positive": -50.0}
ERRORS = {"per_unit_under": -2.0, "per_unit_over": -0.5}


def test_two_classes_are_worth_their_confusion_matrix() -> None:
    labels = ["no", "yes", "yes", "no", "yes", "no", "no", "yes"]
    called = ["no", "yes", "no", "yes", "yes", "no", "no", "no"]
    # By hand: 2 true positives, 2 false negatives, 1 false positive, 3 true negatives.
    by_hand = (2 * 300 + 2 * -500 + 1 * -50 + 3 * 0) / 8
    predicted = Predictions(np.array(called), np.zeros((8, 2)), ["no", "yes"])
    worth = OutcomeValues(**CALLS).for_task("classification")
    assert worth is not None
    assert expected_value(pd.Series(labels), predicted, worth) == pytest.approx(by_hand)


def test_regression_errors_are_worth_their_units_below_and_above() -> None:
    labels = np.array([100.0, 80.0, 150.0])
    values = np.array([90.0, 95.0, 150.0])  # 10 too low, 15 too high, exact
    by_hand = (10 * -2.0 + 15 * -0.5 + 0) / 3
    worth = OutcomeValues(**ERRORS).for_task("regression")
    assert worth is not None
    assert expected_value(labels, Predictions(values, None, []), worth) == pytest.approx(by_hand)


def test_only_the_tasks_own_keys_are_read() -> None:
    both = OutcomeValues(**CALLS, **ERRORS)
    assert both.for_task("regression") == ERRORS
    assert both.for_task("classification") == {**CALLS, "true_negative": 0.0}
    assert OutcomeValues(**ERRORS).for_task("classification") is None


def test_a_two_class_block_on_more_classes_stops_only_the_value_gate() -> None:
    predicted = Predictions(np.array(["a", "b", "c"]), np.zeros((3, 3)), ["a", "b", "c"])
    with pytest.raises(PipelineError, match=says("error.value_two_classes", classes=3)):
        expected_value(pd.Series(["a", "b", "c"]), predicted, {**CALLS, "true_negative": 0.0})


def test_the_value_gate_judges_the_expected_value(
    paths: ProjectPaths, prepared: PreparedData, task_params: Params, registry: ModelRegistry
) -> None:
    values = OutcomeValues(**CALLS, **ERRORS)
    goal = BusinessGoal(metric="value", direction="maximize", threshold=-1e9, value=values)
    assert prediction_worth(goal, prepared.schema) is not None
    train(prepared, task_params, paths.candidate)
    report = paths.docs / "06_test_report.md"
    evaluation = evaluate(prepared, paths.candidate, goal, paths.reports, report, registry)
    metrics = json.loads((paths.reports / "metrics.json").read_text())
    # Recomputed here from the model's own answers, without the code under test.
    model, _ = load_candidate(paths.candidate)
    labels = prepared.labels(prepared.holdout).to_numpy()
    answers = model.predict(prepared.features(prepared.holdout))
    if task_params.task == "regression":
        error = answers - labels.astype(float)
        by_hand = np.mean(-2.0 * np.clip(-error, 0, None) - 0.5 * np.clip(error, 0, None))
    else:
        actual, called = labels == model.classes_[-1], answers == model.classes_[-1]
        by_hand = np.mean(300.0 * (actual & called) - 500.0 * (actual & ~called)
                          - 50.0 * (~actual & called))  # fmt: skip
    assert metrics["holdout"]["value"] == pytest.approx(by_hand)
    assert evaluation.goal.metric == "value"
    assert evaluation.goal.met is (metrics["holdout"]["value"] > metrics["baseline"]["value"])
    assert "value" in report.read_text(encoding="utf-8")
