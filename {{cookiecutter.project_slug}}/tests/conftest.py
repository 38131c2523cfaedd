"""Shared fixtures: a throw-away copy of the project's params and business goal."""

from __future__ import annotations

import shutil
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
    """A project root holding the real params.yaml and business goal, and an empty
    tracking store where the project keeps it."""
    (root / "docs").mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / "params.yaml", root / "params.yaml")
    shutil.copy(PROJECT_ROOT / "docs" / "01_business_understanding.md", root / "docs")
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
    """A project root holding the real params.yaml and business goal."""
    (root / "docs").mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / "params.yaml", root / "params.yaml")
    shutil.copy(PROJECT_ROOT / "docs" / "01_business_understanding.md", root / "docs")
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


def read_params_file() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((PROJECT_ROOT / "params.yaml").read_text())
    return loaded


@pytest.fixture
def raw_params() -> dict[str, Any]:
    return read_params_file()


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
TASKS = {"regression": REGRESSION, "classification": CLASSIFICATION}


def params_for_task(task: str) -> Params:
    """The project's params switched to `task`, for fixtures a module's tests share."""
    return Params.model_validate(merge(read_params_file(), TASKS[task]))


@pytest.fixture(params=sorted(TASKS))
def task_params(request: pytest.FixtureRequest, make_params: ParamsFactory) -> Params:
    """Both tasks, whichever the project was generated for: params.yaml can switch."""
    return make_params(**TASKS[request.param])


@pytest.fixture
def prepared(paths: ProjectPaths, task_params: Params) -> PreparedData:
    return prepare(task_params, paths.root, paths.interim)


def write_patients_csv(path: Path, rows: int = 240, seed: int = 0) -> Path:
    """A small table like a team's own export: numbers, categories and missing values."""
    rng = np.random.default_rng(seed)
    age = rng.integers(20, 80, rows).astype(float)
    bmi = rng.normal(27, 4, rows)
    smoker = rng.choice(["yes", "no"], rows)
    region = rng.choice(["north", "south", "east", "west"], rows)
    noise = rng.normal(0, 5, rows)
    outcome = 2.0 * bmi + 0.5 * age + np.where(smoker == "yes", 15.0, 0.0) + noise
    frame = pd.DataFrame(
        {
            "patient_id": np.arange(rows),
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
