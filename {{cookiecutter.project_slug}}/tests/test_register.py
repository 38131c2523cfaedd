from __future__ import annotations

import json
from pathlib import Path

import pytest

from {{ cookiecutter.module_name }}.config import Params, ProjectPaths
from {{ cookiecutter.module_name }}.dataset import PreparedData
from {{ cookiecutter.module_name }}.errors import PipelineError
from {{ cookiecutter.module_name }}.evaluate import decide, evaluate
from {{ cookiecutter.module_name }}.goal import BusinessGoal, judge
from {{ cookiecutter.module_name }}.prepare import prepare
from {{ cookiecutter.module_name }}.register import Registration, register
from {{ cookiecutter.module_name }}.registry import read_index
from {{ cookiecutter.module_name }}.train import MODEL_FILE, train

from .conftest import REGRESSION, ParamsFactory
from .test_evaluate import GOALS


def evaluate_and_register(
    paths: ProjectPaths, prepared: PreparedData, goal: BusinessGoal
) -> Registration:
    report = paths.docs / "test_report.md"
    evaluate(prepared, paths.candidate, goal, paths.reports, report, paths.registry)
    return register(paths.candidate, paths.reports / "metrics.json", paths.registry, paths.root)


def test_first_approved_model_becomes_champion_once(
    paths: ProjectPaths, prepared: PreparedData, task_params: Params
) -> None:
    train(prepared, task_params, paths.candidate)
    goal = GOALS[task_params.task]
    unreachable = goal.model_copy(
        update={"threshold": 1.0 if task_params.task == "regression" else 0.999}
    )
    assert not evaluate_and_register(paths, prepared, unreachable).registered
    assert read_index(paths.registry)["versions"] == []

    first = evaluate_and_register(paths, prepared, goal)
    assert (first.registered, first.version) == (True, 1)
    again = register(paths.candidate, paths.reports / "metrics.json", paths.registry, paths.root)
    assert again.reason == "already registered as version 1"
    # Re-evaluated against itself, the same model is no improvement on the champion.
    rerun = evaluate_and_register(paths, prepared, goal)
    assert not rerun.registered
    assert "does not beat the champion" in rerun.reason

    index = read_index(paths.registry)
    assert [entry["version"] for entry in index["versions"]] == [1]
    assert index["aliases"]["champion"] == 1
    entry = index["versions"][0]
    assert entry["data_fingerprint"] == prepared.schema.fingerprint
    assert entry["params"]["model"]["name"] == task_params.model.name
    stored = json.loads((paths.registry / "v1" / "metrics.json").read_text())
    assert stored["model_sha256"] == entry["sha256"]
    assert (paths.registry / "v1" / MODEL_FILE).is_file()


def test_better_model_replaces_champion_and_worse_does_not(
    paths: ProjectPaths, make_params: ParamsFactory
) -> None:
    def fit(alpha: float) -> PreparedData:
        params = make_params(
            **{**REGRESSION, "model": {"name": "ridge", "params": {"alpha": alpha}}}
        )
        prepared = prepare(params, paths.root, paths.interim)
        train(prepared, params, paths.candidate)
        return prepared

    loose = BusinessGoal(metric="rmse", direction="minimize", threshold=100)
    assert evaluate_and_register(paths, fit(300.0), loose).version == 1
    assert evaluate_and_register(paths, fit(1.0), loose).version == 2
    # Heavier shrinkage than the champion's: still meets the goal, but scores worse.
    worse = evaluate_and_register(paths, fit(1000.0), loose)
    assert not worse.registered
    assert read_index(paths.registry)["aliases"]["champion"] == 2
    metrics = json.loads((paths.reports / "metrics.json").read_text())
    assert metrics["champion"]["version"] == 2
    assert metrics["champion"]["holdout"]["rmse"] < metrics["holdout"]["rmse"]


def test_min_improvement_is_a_margin() -> None:
    goal = BusinessGoal(metric="rmse", direction="minimize", threshold=60, min_improvement=1.0)
    verdict = judge(goal, {"rmse": 50.0}, {"rmse": 70.0})
    assert decide(goal, verdict, {"rmse": 50.5}).register is False
    assert decide(goal, verdict, {"rmse": 51.5}).register is True
    assert decide(goal, verdict, None).register is True


def test_tampered_champion_is_refused(
    paths: ProjectPaths, prepared: PreparedData, task_params: Params
) -> None:
    train(prepared, task_params, paths.candidate)
    evaluate_and_register(paths, prepared, GOALS[task_params.task])
    champion_file = Path(paths.registry / "v1" / MODEL_FILE)
    champion_file.write_bytes(champion_file.read_bytes() + b"tampered")
    with pytest.raises(PipelineError, match="does not match the hash"):
        evaluate_and_register(paths, prepared, GOALS[task_params.task])
