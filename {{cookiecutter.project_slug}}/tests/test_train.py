from __future__ import annotations

import json

import pytest

from {{ cookiecutter.module_name }}.core.config import Params
from {{ cookiecutter.module_name }}.core.dataset import PreparedData
from {{ cookiecutter.module_name }}.core.errors import PipelineError
from {{ cookiecutter.module_name }}.core.model_io import MODEL_FILE, TRAINING_FILE
from {{ cookiecutter.module_name }}.core.paths import ProjectPaths
from {{ cookiecutter.module_name }}.stages.prepare import prepare
from {{ cookiecutter.module_name }}.stages.train import load_candidate, train

from .conftest import ParamsFactory


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
