from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from {{ cookiecutter.module_name }}.core.config import load_params
from {{ cookiecutter.module_name }}.core.errors import PipelineError
from {{ cookiecutter.module_name }}.core.paths import ProjectPaths

from .messages import ending, says


def test_project_params_are_valid(paths: ProjectPaths) -> None:
    params = load_params(paths.params)
    assert params.data.source == "sklearn:diabetes"
    assert params.data.target == "progression"


@pytest.mark.parametrize(
    ("edit", "named"),
    [
        (("seed: 42", "seed: 42\nsede: 1"), "sede"),
        (("cv_folds: ", "cv_folds: five #"), "cv_folds"),
        (("holdout_fraction: 0.2", "holdout_fraction: 1.5"), "data.holdout_fraction"),
        (("task: ", "task: clustering #"), "task"),
    ],
)
def test_bad_params_name_the_key(paths: ProjectPaths, edit: tuple[str, str], named: str) -> None:
    text = paths.params.read_text()
    assert edit[0] in text
    paths.params.write_text(text.replace(edit[0], edit[1], 1))
    with pytest.raises(PipelineError, match=rf"params.yaml: {named}") as error:
        load_params(paths.params)
    assert "\n" not in str(error.value)


def test_model_must_fit_the_task(paths: ProjectPaths) -> None:
    text = paths.params.read_text()
    name = "logistic" if "name: ridge" in text else "ridge"
    current = "ridge" if name == "logistic" else "logistic"
    paths.params.write_text(text.replace(f"name: {current}", f"name: {name}"))
    task = "regression" if name == "logistic" else "classification"  # the project's task
    with pytest.raises(
        PipelineError, match=says("error.model_for_task", name=repr(name), task=task)
    ):
        load_params(paths.params)


def test_missing_and_broken_params_files(tmp_path: Path) -> None:
    with pytest.raises(PipelineError, match=says("error.params_not_found")):
        load_params(tmp_path / "params.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("seed: [1, 2\n")
    with pytest.raises(PipelineError, match=says("error.yaml", path=ending("broken.yaml"), line=2)):
        load_params(broken)


@pytest.mark.parametrize("setting", [1.5, 0, "high", True, None])
def test_a_bad_decision_threshold_is_one_plain_line(paths: ProjectPaths, setting: object) -> None:
    params = yaml.safe_load(paths.params.read_text())
    params["model"]["decision_threshold"] = setting
    paths.params.write_text(yaml.safe_dump(params))
    with pytest.raises(PipelineError) as caught:
        load_params(paths.params)
    message = str(caught.value)
    assert re.search(f"model.decision_threshold: {says('error.threshold_setting')}", message)
    assert "\n" not in message
    assert "constrained" not in message
