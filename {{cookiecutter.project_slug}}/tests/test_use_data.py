"""use-data: a team's table adopted in one command, params.yaml's comments kept, and the
project then checks and runs as it is."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from {{ cookiecutter.module_name }}.cli.app import app
from {{ cookiecutter.module_name }}.core.goal import load_goal
from {{ cookiecutter.module_name }}.core.paths import ProjectPaths
from {{ cookiecutter.module_name }}.core.texts import text
from {{ cookiecutter.module_name }}.stages.validate import project_problems

from .conftest import write_patients_csv
from .messages import says

runner = CliRunner()


def adopt(paths: ProjectPaths, *args: str) -> str:
    result = runner.invoke(app, ["use-data", *args, "--root", str(paths.root)])
    assert result.exit_code == 0, result.output
    return result.output


def told(target: str, task: str, classes: int, params: dict[str, Any]) -> str:
    """The line use-data prints about params.yaml, for the patients table."""
    line = text(
        "cli.use_data.params",
        source="data/raw/patients.csv",
        target=repr(target),
        task=task,
        classes=classes,
        model=params["model"]["name"],
    )
    return f"use-data: {line}"


def test_a_quantity_becomes_regression_with_a_gate_from_the_dummy(paths: ProjectPaths) -> None:
    source = write_patients_csv(paths.root / "data/raw/patients.csv")
    paths.params.write_text("# Our settings.\n" + paths.params.read_text())
    output = adopt(paths, str(source), "--target", "outcome")
    params = yaml.safe_load(paths.params.read_text())
    assert told("outcome", "regression", 0, params) in output
    assert (params["data"]["source"], params["data"]["target"]) == (
        "data/raw/patients.csv",
        "outcome",
    )
    assert paths.params.read_text().startswith("# Our settings.\n")
    goal = load_goal(paths.business_goal, "regression")
    # The dummy predicts the mean: its RMSE is the outcome's standard deviation.
    outcome = pd.read_csv(source)["outcome"].dropna()
    assert goal.metric == "rmse"
    assert goal.threshold == float(f"{0.9 * outcome.std(ddof=0):.3g}")
    assert list(project_problems(paths)) == []
    result = runner.invoke(app, ["run", "--root", str(paths.root)])
    assert result.exit_code == 0, result.output
    assert f"register: {text('summary.registered', version=1)}" in result.output


def test_text_labels_become_classes_and_the_model_follows(paths: ProjectPaths) -> None:
    source = write_patients_csv(paths.root / "data/raw/patients.csv")
    table = pd.read_csv(source).dropna(subset=["outcome"])
    table["band"] = pd.qcut(table["outcome"], 3, labels=["low", "mid", "high"]).astype(str)
    table.drop(columns="outcome").to_csv(source, index=False)
    output = adopt(paths, str(source), "--target", "band")
    params = yaml.safe_load(paths.params.read_text())
    assert params["task"] == "classification"
    assert params["model"]["name"] in {"logistic", "random_forest", "hist_gradient_boosting"}
    assert told("band", "classification", 3, params) in output
    assert params["data"]["class_threshold"] is None
    goal = load_goal(paths.business_goal, "classification")
    assert goal.metric == "f1_macro"
    assert list(project_problems(paths)) == []


def test_a_file_outside_the_project_or_a_missing_column_changes_nothing(
    paths: ProjectPaths, tmp_path_factory: pytest.TempPathFactory
) -> None:
    before = (paths.params.read_text(), paths.business_goal.read_text())
    inside = write_patients_csv(paths.root / "data/raw/patients.csv")
    outside = write_patients_csv(tmp_path_factory.mktemp("elsewhere") / "patients.csv")
    for source, target, message in (
        (inside, "nope", says("error.no_such_column", column="'nope'")),
        (outside, "outcome", re.escape(text("cli.use_data.outside", source=outside))),
    ):
        result = runner.invoke(
            app, ["use-data", str(source), "--target", target, "--root", str(paths.root)]
        )
        assert result.exit_code == 1
        assert re.search(message, result.output), result.output
    assert (paths.params.read_text(), paths.business_goal.read_text()) == before
