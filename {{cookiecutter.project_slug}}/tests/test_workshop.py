"""workshop.py, what the notebooks call: it finds the project and prepares the data on its
own, changes models in memory only, and its numbers match independent computations."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import yaml

from {{ cookiecutter.module_name }}.core.dataset import TRAIN_FILE
from {{ cookiecutter.module_name }}.core.errors import PipelineError
from {{ cookiecutter.module_name }}.core.goal import BusinessGoal
from {{ cookiecutter.module_name }}.core.paths import ProjectPaths
from {{ cookiecutter.module_name }}.registry.backend import open_registry
from {{ cookiecutter.module_name }}.stages.prepare import prepare
from {{ cookiecutter.module_name }}.workshop import (
    BASELINE,
    Workshop,
    comparison,
    open_workshop,
    preprocess_questions,
    train_questions,
)

from .conftest import REGRESSION, ParamsFactory, write_patients_csv
from .messages import says

RMSE_GOAL = BusinessGoal(metric="rmse", direction="minimize", threshold=30.0)


@pytest.fixture
def patients(paths: ProjectPaths, make_params: ParamsFactory) -> Workshop:
    """A team's own table (an id, dates, categories, gaps), as a regression."""
    write_patients_csv(paths.root / "data/raw/patients.csv")
    data = {"source": "data/raw/patients.csv", "target": "outcome", "class_threshold": None}
    params = make_params(task="regression", model=REGRESSION["model"], data=data)
    prepared = prepare(params, paths.root, paths.interim)
    return Workshop(paths, params, RMSE_GOAL, prepared)


def test_a_notebook_finds_the_project_and_prepares_what_is_missing(paths: ProjectPaths) -> None:
    notebooks = paths.root / "notebooks"
    notebooks.mkdir()
    workshop = open_workshop(notebooks)
    assert workshop.paths.root == paths.root.resolve()
    assert (paths.interim / TRAIN_FILE).is_file()
    assert len(workshop.prepared.train) > 0
    # nothing trained, nothing registered
    assert not paths.candidate.exists()
    assert open_registry(paths).versions() == []


def test_outside_a_project_it_says_so(tmp_path: Path) -> None:
    with pytest.raises(PipelineError, match=says("error.no_project")):
        open_workshop(tmp_path)


def test_another_model_is_a_copy_params_yaml_keeps_its_own(patients: Workshop) -> None:
    before = patients.paths.params.read_text(encoding="utf-8")
    forest = patients.with_model("random_forest", n_estimators=7)
    assert forest.params.model.name == "random_forest"
    assert forest.model().named_steps["model"].n_estimators == 7
    assert patients.params.model.name == "ridge"
    assert patients.paths.params.read_text(encoding="utf-8") == before


def test_a_left_out_feature_is_not_in_the_model(patients: Workshop) -> None:
    model = patients.without("smoker", "age").model()
    rows = patients.rows
    model.fit(patients.prepared.features(rows), patients.prepared.labels(rows))
    names = list(model.named_steps["features"].get_feature_names_out())
    assert not [name for name in names if "smoker" in name or "age" in name]
    assert any("bmi" in name for name in names)
    with pytest.raises(PipelineError, match=says("error.not_a_feature", name="'height'")):
        patients.without("height")


def test_value_per_prediction_is_the_mean_of_each_errors_worth(patients: Workshop) -> None:
    worth = {"per_unit_under": -2.0, "per_unit_over": -0.5}
    predicted = patients.predictions().values
    actual = patients.prepared.labels(patients.rows).to_numpy()
    error = predicted - actual
    by_hand = np.mean(np.where(error < 0, 2.0 * error, -0.5 * error))
    assert patients.value_per_prediction(worth) == pytest.approx(by_hand)


def test_predictions_come_from_models_that_did_not_see_the_row(patients: Workshop) -> None:
    rows = patients.rows
    fitted = patients.model().fit(patients.prepared.features(rows), patients.prepared.labels(rows))
    in_sample = fitted.predict(patients.prepared.features(rows))
    out_of_fold = patients.predictions().values
    assert len(out_of_fold) == len(rows)
    actual = patients.prepared.labels(rows).to_numpy()
    # Out of fold, the errors are larger than on rows the model was fitted on.
    assert np.abs(out_of_fold - actual).mean() > np.abs(in_sample - actual).mean()


def test_questions_name_what_was_found(patients: Workshop) -> None:
    scores = comparison({"all": patients, "without smoker": patients.without("smoker")}, "rmse")
    assert list(scores.index) == [BASELINE, "all", "without smoker"]
    # Smoking adds 15 to the outcome: leaving it out makes the error grow.
    assert scores.loc["without smoker", "mean"] > scores.loc["all", "mean"]
    before, after = scores.loc["all", "mean"], scores.loc["without smoker", "mean"]
    asked = preprocess_questions(patients, "rmse", ["smoker"], before, after)
    by_key = {question.ask: question.values for question in asked}
    assert by_key["ask.preprocess.missing"]["names"] == "`bmi`, `region`"
    assert by_key["ask.preprocess.categories"]["names"] == "`smoker`, `region`"
    assert by_key["ask.preprocess.left_out"]["after"] == f"{after:.4g}"
    best = {question.ask: question.values for question in train_questions(patients, scores, "rmse")}
    assert best["ask.train.best"]["best"] == "`all`"  # rmse: the smaller is better


def test_a_notebook_after_use_data_prepares_the_new_table(
    paths: ProjectPaths, make_params: ParamsFactory
) -> None:
    """A notebook must not teach on the previous table's rows: params.yaml newer than
    the prepared split prepares it again."""
    assert open_workshop(paths.root).prepared.schema.source == "sklearn:diabetes"
    write_patients_csv(paths.root / "data/raw/patients.csv")
    # The task the project (and its business goal) was generated for.
    target = "outcome" if make_params().task == "regression" else "smoker"
    data = {"source": "data/raw/patients.csv", "target": target, "class_threshold": None}
    params = make_params(data=data)
    paths.params.write_text(yaml.safe_dump(params.model_dump(mode="json")), encoding="utf-8")
    later = (paths.interim / TRAIN_FILE).stat().st_mtime + 1
    os.utime(paths.params, (later, later))
    assert open_workshop(paths.root).prepared.schema.target == target


def test_an_unknown_model_is_named_with_the_choices(patients: Workshop) -> None:
    refused = says("error.not_a_task_model", name="'xgboost'", task="regression")
    with pytest.raises(PipelineError, match=refused):
        patients.with_model("xgboost")


def test_a_label_counts_as_one_for_its_positive_class(
    paths: ProjectPaths, make_params: ParamsFactory
) -> None:
    write_patients_csv(paths.root / "data/raw/patients.csv")
    data = {"source": "data/raw/patients.csv", "target": "smoker", "class_threshold": None}
    params = make_params(task="classification", model={"name": "logistic", "params": {}}, data=data)
    prepared = prepare(params, paths.root, paths.interim)
    workshop = Workshop(paths, params, RMSE_GOAL, prepared)
    numbers = workshop.target_as_numbers(prepared.train)
    assert set(numbers.unique()) == {0.0, 1.0}
    assert numbers.mean() == pytest.approx((prepared.train["smoker"] == "yes").mean())
