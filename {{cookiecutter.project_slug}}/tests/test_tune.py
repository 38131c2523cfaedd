"""`tune`: params.yaml's values scored first, the search seeded and reproducible, the
best values written into params.yaml with its comments, bad ranges named."""

from __future__ import annotations

import math
import re
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from {{ cookiecutter.module_name }}.cli.app import app
from {{ cookiecutter.module_name }}.core.config import Params, load_params
from {{ cookiecutter.module_name }}.core.errors import PipelineError
from {{ cookiecutter.module_name }}.core.paths import ProjectPaths
from {{ cookiecutter.module_name }}.core.tuning import Trial, Tuning
from {{ cookiecutter.module_name }}.stages.prepare import prepare
from {{ cookiecutter.module_name }}.stages.train import build_model, cross_validate_model
from {{ cookiecutter.module_name }}.stages.tune import apply_best, tune
from {{ cookiecutter.module_name }}.stages.validate import project_problems

from .conftest import REGRESSION, ParamsFactory
from .messages import says

TRIALS = 6


def test_the_start_is_scored_as_train_scores_it_and_never_beaten_by_worse(
    paths: ProjectPaths, make_params: ParamsFactory
) -> None:
    params = make_params(**REGRESSION)
    prepared = prepare(params, paths.root, paths.interim)
    found = tune(prepared, params, "rmse", TRIALS, None)
    assert [trial.number for trial in found.trials] == list(range(TRIALS + 1))
    assert found.start.values == {"alpha": 1.0}
    # train's own cross-validation of the same values, computed apart from tune.
    cv = cross_validate_model(
        build_model(prepared.schema, params), prepared.train, prepared, params
    )
    assert found.start.score == pytest.approx(cv["rmse"]["mean"])
    best = found.best()
    assert best.score <= found.start.score
    assert all(best.score <= trial.score for trial in found.trials if math.isfinite(trial.score))
    for trial in found.trials[1:]:
        alpha = trial.values["alpha"]
        assert isinstance(alpha, float)
        assert 0.001 <= alpha <= 1000  # params.yaml's range


def test_the_same_seed_tries_the_same_values(
    paths: ProjectPaths, make_params: ParamsFactory
) -> None:
    params = make_params(**REGRESSION)
    prepared = prepare(params, paths.root, paths.interim)
    first, second = (tune(prepared, params, "rmse", 4, None) for _ in range(2))
    assert [(t.values, t.score) for t in first.trials] == [
        (t.values, t.score) for t in second.trials
    ]
    other = params.model_copy(update={"seed": params.seed + 1})
    third = tune(prepared, other, "rmse", 4, None)
    assert [t.values for t in third.trials[1:]] != [t.values for t in first.trials[1:]]


# A params.yaml of the user's own making: the comments and their places must survive.
COMMENTED_PARAMS = """\
# Settings for every stage.
seed: 42
model:
  # the estimator, by name
  name: ridge
  params:
    alpha: 1.0  # regularisation

# What tune searches.
tune:
  trials: 3
"""


def comment_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if "#" in line]


def test_better_values_go_into_params_yaml_with_its_comments(tmp_path: Path) -> None:
    path = tmp_path / "params.yaml"
    path.write_text(COMMENTED_PARAMS)
    start = Trial(0, {"alpha": 1.0}, 10.0, 0.1)
    better = Trial(1, {"alpha": 0.5, "solver": "svd", "tol": 0.001}, 9.0, 0.1)
    written = apply_best(path, Tuning("ridge", "regression", "rmse", [start, better]))
    assert written == better
    after = path.read_text()
    assert yaml.safe_load(after) == {
        "seed": 42,
        "model": {"name": "ridge", "params": {"alpha": 0.5, "solver": "svd", "tol": 0.001}},
        "tune": {"trials": 3},
    }
    # Every comment kept, in order, the inline one still on alpha's line, and the
    # section's heading still right above the section (not above the added keys).
    assert [line.split("#")[-1] for line in comment_lines(after)] == [
        line.split("#")[-1] for line in comment_lines(COMMENTED_PARAMS)
    ]
    assert "alpha: 0.5  # regularisation" in after
    assert after.index("tol: 0.001") < after.index("# What tune searches.\ntune:")


def test_params_yaml_is_left_alone_when_its_values_are_still_the_best(tmp_path: Path) -> None:
    path = tmp_path / "params.yaml"
    path.write_text(COMMENTED_PARAMS)
    trials = [Trial(0, {"alpha": 1.0}, 0.8, 0.1), Trial(1, {"alpha": 2.0}, 0.8, 0.1)]
    assert apply_best(path, Tuning("ridge", "classification", "roc_auc", trials)) is None
    assert path.read_text() == COMMENTED_PARAMS


@pytest.mark.parametrize(
    ("space", "named"),
    [
        ({"ridge": {"alpha": {"low": 10, "high": 1}}}, "tune.space.ridge.alpha"),
        ({"ridge": {"alpha": {"low": 0, "high": 1, "log": True}}}, "tune.space.ridge.alpha"),
        ({"ridgee": {"alpha": {"low": 0.1, "high": 1}}}, "tune.space"),
        ({"ridge": {"alpha": {"choices": []}}}, "tune.space.ridge.alpha"),
        ({"ridge": {"alpha": {"low": 1.5, "high": 9, "integer": True}}}, "tune.space.ridge.alpha"),
    ],
)
def test_a_bad_range_is_named_in_one_line(
    paths: ProjectPaths, raw_params: dict[str, object], space: dict[str, object], named: str
) -> None:
    paths.params.write_text(yaml.safe_dump({**raw_params, "tune": {"space": space}}))
    with pytest.raises(PipelineError, match=re.escape(f"{named}: ")) as caught:
        load_params(paths.params)
    message = str(caught.value)
    assert "\n" not in message
    # Only the form the entry takes is judged, in the user's words, not pydantic's.
    for internal in ("more problem", "function-after", "Value error", "SearchChoices"):
        assert internal not in message


def test_a_range_for_what_the_model_does_not_take_is_a_problem(
    paths: ProjectPaths, raw_params: dict[str, object]
) -> None:
    space = {"ridge": {"alpah": {"low": 0.1, "high": 1}}}
    changed = {**raw_params, "task": "regression", "tune": {"space": space}}
    changed["model"] = {"name": "ridge", "params": {"alpha": 1.0}}
    changed["data"] = {**raw_params["data"], "class_threshold": None}  # type: ignore[dict-item]
    paths.params.write_text(yaml.safe_dump(changed))
    problems = list(project_problems(paths))
    unknown = says("error.not_a_hyperparameter", where="tune.space.ridge.alpah", model="ridge")
    assert any(re.search(unknown, line) for line in problems), problems


def test_tune_checks_the_project_before_any_trial(
    paths: ProjectPaths, raw_params: dict[str, object]
) -> None:
    changed = dict(raw_params)
    model = changed["model"]
    assert isinstance(model, dict)
    changed["tune"] = {"space": {model["name"]: {"no_such_setting": {"low": 1, "high": 2}}}}
    paths.params.write_text(yaml.safe_dump(changed))
    runner = CliRunner()
    result = runner.invoke(app, ["tune", "--trials", "2", "--root", str(paths.root)])
    assert result.exit_code == 1
    where = f"tune.space.{model['name']}.no_such_setting"
    assert re.search(says("error.not_a_hyperparameter", where=where), result.output)
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output


def test_a_model_without_ranges_is_told_where_to_add_them(
    paths: ProjectPaths, make_params: ParamsFactory
) -> None:
    params: Params = make_params(**{**REGRESSION, "model": {"name": "linear", "params": {}}})
    prepared = prepare(params, paths.root, paths.interim)
    with pytest.raises(PipelineError, match=re.escape("tune.space.linear")):
        tune(prepared, params, "rmse", 2, None)


def test_the_command_writes_trials_and_a_figure(paths: ProjectPaths) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["prepare", "--root", str(paths.root)]).exit_code == 0
    result = runner.invoke(app, ["tune", "--trials", "3", "--root", str(paths.root)])
    assert result.exit_code == 0, result.output
    assert "tune: 3 " in result.output  # three trials, in the project's language
    trials = (paths.reports / "tuning" / "trials.csv").read_text().splitlines()
    assert len(trials) == 1 + 4  # header, params.yaml's values, three trials
    assert (paths.tuning / "tuning.png").read_bytes().startswith(b"\x89PNG")
    # Without prepare's output, one line saying what to run first.
    shutil.rmtree(paths.interim)
    again = runner.invoke(app, ["tune", "--root", str(paths.root)])
    assert again.exit_code == 1
    assert len(again.output.strip().splitlines()) == 1, again.output
{%- if cookiecutter.tracking == "mlflow" %}


def test_the_search_is_a_run_with_a_nested_run_per_trial(paths: ProjectPaths) -> None:
    from {{ cookiecutter.module_name }}.registry.mlflow_tracking import PARENT_TAG, connect

    runner = CliRunner()
    assert runner.invoke(app, ["prepare", "--root", str(paths.root)]).exit_code == 0
    result = runner.invoke(app, ["tune", "--trials", "3", "--root", str(paths.root)])
    assert result.exit_code == 0, result.output
    tracking = connect(paths)
    runs = tracking.client.search_runs([tracking.experiment_id])
    (search,) = [run for run in runs if run.data.tags.get("stage") == "tune"]
    assert f"MLflow run {search.info.run_id[:8]}" in result.output
    trials = [run for run in runs if run.data.tags.get(PARENT_TAG) == search.info.run_id]
    assert sorted(run.info.run_name for run in trials) == [f"trial-{n}" for n in range(4)]
    table = (paths.reports / "tuning" / "trials.csv").read_text().splitlines()
    metric = table[0].split(",")[1]
    logged = sorted(run.data.metrics[f"cv_{metric}"] for run in trials)
    assert logged == pytest.approx(sorted(float(row.split(",")[1]) for row in table[1:]))
{%- endif %}
