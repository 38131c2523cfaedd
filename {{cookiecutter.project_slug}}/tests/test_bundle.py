from __future__ import annotations

import json

import pytest

from {{ cookiecutter.module_name }}.core.config import Params
from {{ cookiecutter.module_name }}.core.dataset import PreparedData
from {{ cookiecutter.module_name }}.core.errors import PipelineError
from {{ cookiecutter.module_name }}.core.model_io import TRAINING_FILE
from {{ cookiecutter.module_name }}.core.paths import ProjectPaths
from {{ cookiecutter.module_name }}.registry.base import ModelRegistry
from {{ cookiecutter.module_name }}.registry.bundle import (
    ENTRY_FILE,
    export_bundle,
    smoke_test_bundle,
)
from {{ cookiecutter.module_name }}.stages.train import train

from .test_evaluate import GOALS
from .test_register import evaluate_and_register


@pytest.fixture
def bundle(
    paths: ProjectPaths, prepared: PreparedData, task_params: Params, registry: ModelRegistry
) -> ProjectPaths:
    train(prepared, task_params, paths.candidate)
    evaluate_and_register(paths, prepared, GOALS[task_params.task], registry)
    assert export_bundle(registry, paths.root / "deploy") == 1
    return paths


def test_exported_champion_passes_the_smoke_test(bundle: ProjectPaths) -> None:
    summary = smoke_test_bundle(bundle.root / "deploy")
    assert summary == "version 1 reproduced 5 recorded predictions"


def test_smoke_test_catches_a_model_that_predicts_differently(bundle: ProjectPaths) -> None:
    record_path = bundle.root / "deploy" / TRAINING_FILE
    record = json.loads(record_path.read_text())
    record["example"]["predictions"][0] += 1
    record_path.write_text(json.dumps(record))
    with pytest.raises(PipelineError, match="does not reproduce the predictions"):
        smoke_test_bundle(bundle.root / "deploy")


def test_smoke_test_refuses_a_swapped_model_file(bundle: ProjectPaths) -> None:
    entry_path = bundle.root / "deploy" / ENTRY_FILE
    entry = json.loads(entry_path.read_text())
    entry["sha256"] = "0" * 64
    entry_path.write_text(json.dumps(entry))
    with pytest.raises(PipelineError, match="does not match the hash"):
        smoke_test_bundle(bundle.root / "deploy")
