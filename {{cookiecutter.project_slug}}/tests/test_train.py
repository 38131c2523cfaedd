from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

import numpy as np
import pytest

from {{ cookiecutter.module_name }}.core.config import Params
from {{ cookiecutter.module_name }}.core.dataset import PreparedData
from {{ cookiecutter.module_name }}.core.errors import PipelineError
from {{ cookiecutter.module_name }}.core.model_io import MODEL_FILE, TRAINING_FILE
from {{ cookiecutter.module_name }}.core.paths import ProjectPaths
from {{ cookiecutter.module_name }}.stages.prepare import prepare
from {{ cookiecutter.module_name }}.stages.splitting import cv_rows
from {{ cookiecutter.module_name }}.stages.train import (
    load_candidate,
    threshold_values,
    train,
)

from .conftest import CLASSIFICATION, REGRESSION, ParamsFactory, params_for_task
from .messages import ending, says


def test_sample_model_reaches_reference_scores(
    paths: ProjectPaths, prepared: PreparedData, task_params: Params
) -> None:
    trained = train(prepared, task_params, paths.candidate)
    if task_params.task == "regression":
        # Reference: 5-fold CV R² 0.479 for linear regression on the diabetes data.
        assert trained.cv["r2"]["mean"] >= 0.47
        assert trained.cv["rmse"]["mean"] < 60
    else:
        assert trained.cv["roc_auc"]["mean"] >= 0.8
    record = json.loads((paths.candidate / TRAINING_FILE).read_text())
    assert record["cv"] == trained.cv
    assert record["schema"]["fingerprint"] == prepared.schema.fingerprint
    model, _ = load_candidate(paths.candidate)
    assert len(model.predict(prepared.features(prepared.holdout))) == len(prepared.holdout)


def test_tampered_model_is_refused(
    paths: ProjectPaths, prepared: PreparedData, task_params: Params
) -> None:
    train(prepared, task_params, paths.candidate)
    model_file = paths.candidate / MODEL_FILE
    model_file.write_bytes(model_file.read_bytes()[:-10])
    with pytest.raises(PipelineError, match=says("error.hash")):
        load_candidate(paths.candidate)


@pytest.mark.parametrize(
    ("model", "message"),
    [
        ({"name": "ridge", "params": {"alpha": 1.0, "depth": 3}}, r"model.params.depth"),
        (
            {"name": "ridge", "params": {"alpha": -1.0}},
            says("error.model_refused", model="'ridge'"),
        ),
    ],
)
def test_bad_hyper_parameters_are_named(
    paths: ProjectPaths, make_params: ParamsFactory, model: dict[str, object], message: str
) -> None:
    params = make_params(task="regression", data={"class_threshold": None}, model=model)
    prepared = prepare(params, paths.root, paths.interim)
    with pytest.raises(PipelineError, match=message):
        train(prepared, params, paths.candidate)
    assert not (paths.candidate / MODEL_FILE).exists()


def test_a_training_split_over_cv_max_rows_cross_validates_on_a_seeded_sample(
    prepared: PreparedData, task_params: Params
) -> None:
    params = task_params.model_copy(update={"cv_max_rows": 120})
    rows = cv_rows(prepared, params)
    classes = prepared.schema.classes or [None]
    assert abs(len(rows) - 120) <= len(classes)  # rounded class by class
    assert rows.index.is_unique  # no row twice
    assert rows.index.is_monotonic_increasing  # in their order
    assert rows.index.equals(cv_rows(prepared, params).index)
    reseeded = params.model_copy(update={"seed": params.seed + 1})
    assert not rows.index.equals(cv_rows(prepared, reseeded).index)
    if task_params.task == "classification":
        target = prepared.schema.target
        shares = rows[target].value_counts(normalize=True)
        expected = prepared.train[target].value_counts(normalize=True)
        assert (shares - expected).abs().max() < 0.02
    unlimited = task_params.model_copy(update={"cv_max_rows": None})
    assert len(cv_rows(prepared, unlimited)) == len(prepared.train)
    assert len(cv_rows(prepared, task_params)) == len(prepared.train)  # 353 < 50,000


def test_a_rare_class_keeps_a_row_per_fold_in_the_sample(paths: ProjectPaths) -> None:
    params = params_for_task("classification").model_copy(update={"cv_max_rows": 100})
    prepared = prepare(params, paths.root, paths.interim)
    target = prepared.schema.target
    common, rare = prepared.schema.classes or []
    train = prepared.train.copy()
    train[target] = common
    train.loc[train.index[:6], target] = rare  # 6 of 353 rows: 2 in a 100-row sample
    rows = cv_rows(replace(prepared, train=train), params)
    assert (rows[target] == rare).sum() == params.cv_folds


# What each kind of answer is worth: a miss ten times an alarm's cost, or the reverse.
COSTLY_MISS = {"true_positive": 300.0, "false_negative": -500.0, "false_positive": -50.0}
COSTLY_ALARM = {"true_positive": 50.0, "false_negative": 0.0, "false_positive": -500.0}


def with_threshold(make_params: ParamsFactory, threshold: float) -> Params:
    """The classification params with a fixed decision threshold."""
    model = {**cast(dict[str, Any], CLASSIFICATION["model"]), "decision_threshold": threshold}
    return make_params(**{**CLASSIFICATION, "model": model})


def trained_threshold(
    prepared: PreparedData, params: Params, folder: Path, worth: dict[str, float] | None = None
) -> float | None:
    values = None if worth is None else {"true_negative": 0.0, **worth}
    train(prepared, params, folder, worth=values)
    threshold: float | None = json.loads((folder / TRAINING_FILE).read_text())["decision_threshold"]
    return threshold


def test_a_two_class_threshold_follows_the_goals_values(
    paths: ProjectPaths, make_params: ParamsFactory
) -> None:
    params = make_params(**CLASSIFICATION)
    prepared = prepare(params, paths.root, paths.interim)
    low = trained_threshold(prepared, params, paths.root / "miss", COSTLY_MISS)
    high = trained_threshold(prepared, params, paths.root / "alarm", COSTLY_ALARM)
    assert low is not None
    assert high is not None
    assert low < 0.5 < high
    # The saved model calls the positive class exactly where its probability reaches it.
    model, _ = load_candidate(paths.root / "miss")
    holdout = prepared.features(prepared.holdout)
    positive = (prepared.schema.classes or [])[-1]
    reached = model.predict_proba(holdout)[:, 1] >= low
    np.testing.assert_array_equal(model.predict(holdout) == positive, reached)
    # A number in params.yaml is taken as it is; without values, 0.5 stays.
    fixed = with_threshold(make_params, 0.3)
    assert trained_threshold(prepared, fixed, paths.root / "fixed", COSTLY_MISS) == 0.3
    assert trained_threshold(prepared, params, paths.root / "plain") is None


def test_the_threshold_needs_the_goal_document_only_when_chosen_for_its_values(
    paths: ProjectPaths, make_params: ParamsFactory
) -> None:
    params = make_params(**CLASSIFICATION)
    schema = prepare(params, paths.root, paths.interim).schema
    missing = paths.root / "docs" / "no_such_goal.md"
    refused = says("error.no_goal_for_threshold", path=ending("no_such_goal.md"))
    with pytest.raises(PipelineError, match=refused):
        threshold_values(missing, schema, params)
    assert threshold_values(missing, schema, with_threshold(make_params, 0.4)) is None
    regression = make_params(**REGRESSION)
    regression_schema = prepare(regression, paths.root, paths.interim).schema
    assert threshold_values(missing, regression_schema, regression) is None
