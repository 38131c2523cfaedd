"""Shared fixtures: throw-away projects on the bundled sample (its params and business
goal), so the tests pass whatever data the project itself has been pointed at."""

from __future__ import annotations

{% if cookiecutter.tracking == "mlflow" -%}
import shutil
{% endif -%}
from collections.abc import Callable{% if cookiecutter.tracking == "mlflow" %}, Iterator{% endif %}
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
{%- if cookiecutter.tracking == "mlflow" %}
from mlflow import MlflowClient
{%- endif %}

from {{ cookiecutter.module_name }}.core.config import Params
from {{ cookiecutter.module_name }}.core.dataset import PreparedData
from {{ cookiecutter.module_name }}.core.paths import ProjectPaths
from {{ cookiecutter.module_name }}.registry.backend import open_registry
from {{ cookiecutter.module_name }}.registry.base import ModelRegistry
from {{ cookiecutter.module_name }}.stages.prepare import prepare

PROJECT_ROOT = Path(__file__).resolve().parents[1]
ParamsFactory = Callable[..., Params]
ProjectFactory = Callable[[], ProjectPaths]


{% if cookiecutter.tracking == "mlflow" -%}
@pytest.fixture(autouse=True, scope="session")
def local_tracking() -> Iterator[None]:
    """Tests use SQLite stores in temporary folders, never a team server (session-wide,
    so that fixtures shared by a module's tests are covered too)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("MLFLOW_TRACKING_URI", raising=False)
        yield


@pytest.fixture(scope="session")
def empty_tracking_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An MLflow SQLite store with its schema in place. Creating one runs dozens of
    schema migrations (seconds), so each test starts from a copy of this one instead."""
    database = tmp_path_factory.mktemp("tracking") / "mlflow.db"
    uri = f"sqlite:///{database}"
    MlflowClient(tracking_uri=uri, registry_uri=uri).search_experiments()
    return database


def new_project(root: Path, tracking_store: Path) -> ProjectPaths:
    """A project root holding params.yaml and the business goal for the bundled sample
    (write_sample_files), and an empty tracking store where the project keeps it."""
    write_sample_files(root)
    paths = ProjectPaths.at(root)
    paths.registry.mkdir(parents=True)
    shutil.copy(tracking_store, paths.registry / tracking_store.name)
    return paths


@pytest.fixture
def paths(tmp_path: Path, empty_tracking_store: Path) -> ProjectPaths:
    return new_project(tmp_path, empty_tracking_store)


@pytest.fixture(scope="session")
def make_project(
    tmp_path_factory: pytest.TempPathFactory, empty_tracking_store: Path
) -> ProjectFactory:
    """New projects for fixtures a module's tests share (they only read what its stages
    wrote): the stages run once, not once per test."""
    return lambda: new_project(tmp_path_factory.mktemp("project"), empty_tracking_store)
{%- else -%}
def new_project(root: Path) -> ProjectPaths:
    """A project root holding params.yaml and the business goal for the bundled sample
    (write_sample_files)."""
    write_sample_files(root)
    return ProjectPaths.at(root)


@pytest.fixture
def paths(tmp_path: Path) -> ProjectPaths:
    return new_project(tmp_path)


@pytest.fixture(scope="session")
def make_project(tmp_path_factory: pytest.TempPathFactory) -> ProjectFactory:
    """New projects for fixtures a module's tests share (they only read what its stages
    wrote): the stages run once, not once per test."""
    return lambda: new_project(tmp_path_factory.mktemp("project"))
{%- endif %}


@pytest.fixture
def registry(paths: ProjectPaths) -> ModelRegistry:
    return open_registry(paths)


def merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in changes.items():
        # Hyper-parameters belong to one estimator, so a new set replaces the old one.
        if isinstance(value, dict) and isinstance(merged.get(key), dict) and key != "params":
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def sample_params() -> dict[str, Any]:
    """The project's params.yaml pointed at the bundled sample, with the task and model it
    was generated with: the tests' data, whatever data the project itself now reads."""
    loaded: dict[str, Any] = yaml.safe_load((PROJECT_ROOT / "params.yaml").read_text())
    generated = TASKS[GENERATED_TASK]
    sample = {**generated, "data": {**generated["data"], **SAMPLE_DATA}}
    return merge(loaded, {**sample, "cv_folds": TEST_CV_FOLDS})


def write_sample_files(root: Path) -> None:
    """params.yaml and docs/01_business_understanding.md for the bundled sample, so that
    the tests keep passing after the project is pointed at a team's own data and goal."""
    (root / "docs").mkdir(parents=True)
    (root / "params.yaml").write_text(yaml.safe_dump(sample_params()))
    (root / "docs" / "01_business_understanding.md").write_text(SAMPLE_GATES[GENERATED_TASK])


@pytest.fixture
def raw_params() -> dict[str, Any]:
    return sample_params()


@pytest.fixture
def make_params(raw_params: dict[str, Any]) -> ParamsFactory:
    """The project's params with nested changes, e.g. make_params(data={"target": "y"})."""

    def build(**changes: Any) -> Params:
        return Params.model_validate(merge(raw_params, changes))

    return build


CLASSIFICATION = {
    "task": "classification",
    "data": {"class_threshold": "median"},
    "model": {"name": "logistic", "params": {"C": 1.0, "max_iter": 1000}},
}
REGRESSION = {
    "task": "regression",
    "data": {"class_threshold": None},
    "model": {"name": "ridge", "params": {"alpha": 1.0}},
}
TASKS: dict[str, dict[str, Any]] = {"regression": REGRESSION, "classification": CLASSIFICATION}
GENERATED_TASK = "{{ cookiecutter.task }}"
# Three folds, not the project's five: the tests check what the stages do with the folds,
# not how precise the estimate is, and a classifier's cross-validation took twice as long
# with five (0.36 against 0.2 s per train on the sample, some fifty trains per suite).
TEST_CV_FOLDS = 3
# scikit-learn's bundled diabetes data, and the gate the template ships for each task.
SAMPLE_DATA: dict[str, Any] = {
    "source": "sklearn:diabetes",
    "target": "progression",
    "numeric": [],
    "categorical": [],
    "dates": [],
    "identifiers": [],
    "drop": [],
    "split": "random",
    "split_column": None,
}
SAMPLE_GATES = {
    "regression": "---\nmetric: rmse\ndirection: minimize\nthreshold: 60\nmust_beat: dummy\n---\n",
    "classification": (
        "---\nmetric: roc_auc\ndirection: maximize\nthreshold: 0.75\nmust_beat: dummy\n---\n"
    ),
}


def params_for_task(task: str) -> Params:
    """The project's params switched to `task`, for fixtures a module's tests share."""
    return Params.model_validate(merge(sample_params(), TASKS[task]))


@pytest.fixture(params=sorted(TASKS))
def task_params(request: pytest.FixtureRequest, make_params: ParamsFactory) -> Params:
    """Both tasks, whichever the project was generated for: params.yaml can switch."""
    return make_params(**TASKS[request.param])


@pytest.fixture
def prepared(paths: ProjectPaths, task_params: Params) -> PreparedData:
    return prepare(task_params, paths.root, paths.interim)


def write_patients_csv(path: Path, rows: int = 240, seed: int = 0) -> Path:
    """A small table like a team's own export: an id, a visit date, numbers, categories
    and missing values; the outcome drifts upwards over the two years of visits."""
    rng = np.random.default_rng(seed)
    age = rng.integers(20, 80, rows).astype(float)
    bmi = rng.normal(27, 4, rows)
    smoker = rng.choice(["yes", "no"], rows)
    region = rng.choice(["north", "south", "east", "west"], rows)
    days = rng.integers(0, 730, rows)
    noise = rng.normal(0, 5, rows)
    trend = 0.02 * days
    outcome = 2.0 * bmi + 0.5 * age + np.where(smoker == "yes", 15.0, 0.0) + trend + noise
    frame = pd.DataFrame(
        {
            "patient_id": np.arange(rows),
            "visit_date": (pd.Timestamp("2023-01-01") + pd.to_timedelta(days, "D")).strftime(
                "%Y-%m-%d"
            ),
            "age": age,
            "bmi": bmi,
            "smoker": smoker,
            "region": region,
            "outcome": outcome,
        }
    )
    frame.loc[rng.choice(rows, 20, replace=False), "bmi"] = np.nan
    frame.loc[rng.choice(rows, 15, replace=False), "region"] = np.nan
    frame.loc[rng.choice(rows, 5, replace=False), "outcome"] = np.nan
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)
    return path
