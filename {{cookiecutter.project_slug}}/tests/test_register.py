from __future__ import annotations

import json

from {{ cookiecutter.module_name }}.config import Params, ProjectPaths
from {{ cookiecutter.module_name }}.dataset import PreparedData
from {{ cookiecutter.module_name }}.evaluate import evaluate
from {{ cookiecutter.module_name }}.register import read_index, register
from {{ cookiecutter.module_name }}.train import MODEL_FILE, train

from .test_evaluate import GOALS


def test_only_approved_models_are_registered(
    paths: ProjectPaths, prepared: PreparedData, task_params: Params
) -> None:
    train(prepared, task_params, paths.candidate)
    metrics = paths.reports / "metrics.json"
    goal = GOALS[task_params.task]
    unreachable = goal.model_copy(
        update={"threshold": 1.0 if task_params.task == "regression" else 0.999}
    )

    evaluate(prepared, paths.candidate, unreachable, paths.reports, paths.docs / "test.md")
    refused = register(paths.candidate, metrics, paths.registry, paths.root)
    assert not refused.registered
    assert read_index(paths.registry)["versions"] == []

    evaluate(prepared, paths.candidate, goal, paths.reports, paths.docs / "test.md")
    first = register(paths.candidate, metrics, paths.registry, paths.root)
    second = register(paths.candidate, metrics, paths.registry, paths.root)
    assert (first.version, second.version) == (1, 2)
    index = read_index(paths.registry)
    assert index["aliases"]["champion"] == 2
    entry = index["versions"][0]
    assert entry["data_fingerprint"] == prepared.schema.fingerprint
    assert entry["params"]["model"]["name"] == task_params.model.name
    stored = json.loads((paths.registry / "v1" / "metrics.json").read_text())
    assert stored["model_sha256"] == entry["sha256"]
    assert (paths.registry / "v1" / MODEL_FILE).is_file()
