"""The project checked before any stage runs: every problem of params.yaml, the business
goal and the data at once, one line each naming the file and the key."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml
from typer.testing import CliRunner

from {{ cookiecutter.module_name }}.cli.app import app
from {{ cookiecutter.module_name }}.core.paths import ProjectPaths
from {{ cookiecutter.module_name }}.core.texts import plain, text
from {{ cookiecutter.module_name }}.stages.validate import project_problems

from .conftest import write_patients_csv
from .messages import says

runner = CliRunner()
ROC_AUC_GOAL = "---\nmetric: roc_auc\ndirection: maximize\nthreshold: 0.7\n---\n"


def point_at_patients(paths: ProjectPaths, **changes: object) -> None:
    """The sample project's params pointed at the patients table, with `changes` to its
    data section; the rest (task, model, goal) as generated."""
    write_patients_csv(paths.root / "data/raw/patients.csv")
    params = yaml.safe_load(paths.params.read_text())
    params["data"].update(source="data/raw/patients.csv", **changes)
    paths.params.write_text(yaml.safe_dump(params))


def test_the_sample_project_has_no_problem(paths: ProjectPaths) -> None:
    assert list(project_problems(paths)) == []
    result = runner.invoke(app, ["check", "--root", str(paths.root)])
    assert result.exit_code == 0, result.output


def test_every_problem_is_reported_at_once(paths: ProjectPaths) -> None:
    """A switch half done: a text target under regression, a column that is not there,
    a hyper-parameter of another model, a goal metric of the other task."""
    point_at_patients(paths, target="smoker", drop=["colour"], class_threshold=None)
    params = yaml.safe_load(paths.params.read_text())
    params.update(task="regression", model={"name": "ridge", "params": {"C": 1.0}})
    paths.params.write_text(yaml.safe_dump(params))
    paths.business_goal.write_text(ROC_AUC_GOAL)
    problems = list(project_problems(paths))
    assert len(problems) == 4, problems
    goal, column, target, hyperparameter = problems
    wrong_metric = says("error.not_a_metric", metric="'roc_auc'", task="regression")
    assert re.fullmatch(f"{re.escape(str(paths.business_goal))}: {wrong_metric}", goal)
    absent = says("error.column_not_in", params=paths.params, setting="drop", column="'colour'")
    assert re.fullmatch(absent, column)
    assert re.fullmatch(says("error.target_words", target="'smoker'"), target)
    unknown = says("error.not_a_hyperparameter", where="model.params.C")
    assert re.fullmatch(f"{re.escape(str(paths.params))}: {unknown}", hyperparameter)
    result = runner.invoke(app, ["run", "--root", str(paths.root)])
    assert result.exit_code == 1
    assert result.output.count(plain("cli.error")) == 4, result.output
    assert "Traceback" not in result.output
    assert not paths.interim.exists(), "no stage may run on a project with problems"


def test_a_column_named_twice_is_a_problem(paths: ProjectPaths) -> None:
    point_at_patients(paths, target="outcome")
    source = paths.root / yaml.safe_load(paths.params.read_text())["data"]["source"]
    header, *rows = source.read_text().splitlines()
    first = header.split(",")[0]
    source.write_text("\n".join([f"{header},{first}", *(f"{row},0" for row in rows)]) + "\n")
    problem = text("error.repeated_column", where=source, column=repr(first), count=2)
    assert problem in list(project_problems(paths))


def test_classes_of_a_quantity_need_a_threshold(paths: ProjectPaths) -> None:
    point_at_patients(paths, target="outcome", class_threshold=None)
    params = yaml.safe_load(paths.params.read_text())
    params.update(task="classification", model={"name": "logistic", "params": {}})
    paths.params.write_text(yaml.safe_dump(params))
    paths.business_goal.write_text(ROC_AUC_GOAL)
    (problem,) = project_problems(paths)
    assert re.fullmatch(says("error.too_many_classes", target="'outcome'", most=20), problem)


def test_problems_found_without_scikit_learn_show_without_it(paths: ProjectPaths) -> None:
    """With params.yaml itself invalid, nothing needs the estimator: the check answers
    without importing scikit-learn (it imports it only to check hyper-parameters)."""
    paths.params.write_text(paths.params.read_text().replace("seed: 42", "seed: forty-two"))
    script = f"""
import sys
from typer.testing import CliRunner
from {{ cookiecutter.module_name }}.cli.app import app
result = CliRunner().invoke(app, ["check", "--root", {str(paths.root)!r}])
print(result.exit_code, "sklearn" in sys.modules)
print(result.output)
"""
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    code, sklearn_loaded = result.stdout.splitlines()[0].split()
    assert (code, sklearn_loaded) == ("1", "False"), result.stdout
    assert f"{Path(paths.params)}: seed: {text('error.setting.whole')}" in result.stdout
