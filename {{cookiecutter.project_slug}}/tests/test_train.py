from __future__ import annotations

import json
from dataclasses import replace

import pytest

from {{ cookiecutter.module_name }}.core.config import Params
from {{ cookiecutter.module_name }}.core.dataset import PreparedData
from {{ cookiecutter.module_name }}.core.errors import PipelineError
from {{ cookiecutter.module_name }}.core.model_io import MODEL_FILE, TRAINING_FILE
from {{ cookiecutter.module_name }}.core.paths import ProjectPaths
from {{ cookiecutter.module_name }}.stages.prepare import prepare
from {{ cookiecutter.module_name }}.stages.splitting import cv_rows
from {{ cookiecutter.module_name }}.stages.train import load_candidate, train

from .conftest import ParamsFactory, params_for_task


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
    with pytest.raises(PipelineError, match="does not match the hash"):
        load_candidate(paths.candidate)


@pytest.mark.parametrize(
    ("model", "message"),
    [
        ({"name": "ridge", "params": {"alpha": 1.0, "depth": 3}}, r"model.params.depth"),
        ({"name": "ridge", "params": {"alpha": -1.0}}, r"model 'ridge'.*alpha"),
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
