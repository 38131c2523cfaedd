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

from .conftest import PROJECT_ROOT, REGRESSION, ParamsFactory

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


def comment_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip().startswith("#")]


def test_better_values_go_into_params_yaml_with_its_comments(tmp_path: Path) -> None:
    shutil.copy(PROJECT_ROOT / "params.yaml", tmp_path / "params.yaml")
    before = (tmp_path / "params.yaml").read_text()
    model = load_params(tmp_path / "params.yaml").model.name
    start = Trial(0, {}, 10.0, 0.1)
    better = Trial(1, {"extra_setting": 7, "other_setting": 0.25}, 9.0, 0.1)
    written = apply_best(
        tmp_path / "params.yaml", Tuning(model, "regression", "rmse", [start, better])
    )
    assert written == better
    after = (tmp_path / "params.yaml").read_text()
    assert comment_lines(after) == comment_lines(before)
    loaded = yaml.safe_load(after)
    assert (
        loaded["model"]["params"] | {"extra_setting": 7, "other_setting": 0.25}
        == loaded["model"]["params"]
    )
    # Every other key as it was.
    original = yaml.safe_load(before)
    assert {k: v for k, v in loaded.items() if k != "model"} == {
        k: v for k, v in original.items() if k != "model"
    }
    # The comment that introduces the tune section still sits right above it.
    lines = after.splitlines()
    tune_line = lines.index("tune:")
    assert lines[tune_line - 1].startswith("#")


def test_params_yaml_is_left_alone_when_its_values_are_still_the_best(tmp_path: Path) -> None:
    shutil.copy(PROJECT_ROOT / "params.yaml", tmp_path / "params.yaml")
    before = (tmp_path / "params.yaml").read_text()
    tuning = Tuning(
        "ridge",
        "classification",
        "roc_auc",
        [Trial(0, {}, 0.8, 0.1), Trial(1, {"C": 2.0}, 0.8, 0.1)],
    )
    assert apply_best(tmp_path / "params.yaml", tuning) is None
    assert (tmp_path / "params.yaml").read_text() == before


@pytest.mark.parametrize(
    ("space", "named"),
    [
        ({"ridge": {"alpha": {"low": 10, "high": 1}}}, "tune.space.ridge.alpha"),
        ({"ridge": {"alpha": {"low": 0, "high": 1, "log": True}}}, "tune.space.ridge.alpha"),
        ({"ridgee": {"alpha": {"low": 0.1, "high": 1}}}, "tune.space"),
        ({"ridge": {"alpha": {"choices": []}}}, "tune.space.ridge.alpha"),
    ],
)
def test_a_bad_range_is_named_in_one_line(
    paths: ProjectPaths, raw_params: dict[str, object], space: dict[str, object], named: str
) -> None:
    paths.params.write_text(yaml.safe_dump({**raw_params, "tune": {"space": space}}))
    with pytest.raises(PipelineError, match=re.escape(named)) as caught:
        load_params(paths.params)
    assert "\n" not in str(caught.value)


def test_a_range_for_what_the_model_does_not_take_is_a_problem(
    paths: ProjectPaths, raw_params: dict[str, object]
) -> None:
    space = {"ridge": {"alpah": {"low": 0.1, "high": 1}}}
    changed = {**raw_params, "task": "regression", "tune": {"space": space}}
    changed["model"] = {"name": "ridge", "params": {"alpha": 1.0}}
    changed["data"] = {**raw_params["data"], "class_threshold": None}  # type: ignore[dict-item]
    paths.params.write_text(yaml.safe_dump(changed))
    problems = list(project_problems(paths))
    assert any(
        "tune.space.ridge.alpah: not a hyper-parameter of ridge" in line for line in problems
    )


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
    assert "tune: 3 trials; CV " in result.output
    trials = (paths.reports / "tuning" / "trials.csv").read_text().splitlines()
    assert len(trials) == 1 + 4  # header, params.yaml's values, three trials
    assert (paths.figures / "tuning.png").read_bytes().startswith(b"\x89PNG")
    # Without prepare's output, one line saying what to run first.
    shutil.rmtree(paths.interim)
    again = runner.invoke(app, ["tune", "--root", str(paths.root)])
    assert again.exit_code == 1
    assert len(again.output.strip().splitlines()) == 1, again.output
