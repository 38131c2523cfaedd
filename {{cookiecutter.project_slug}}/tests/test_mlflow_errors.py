"""MLflow failing in passing is retried a bounded number of times; failing for good, or
for a reason retrying cannot fix, it reaches the user as one line."""

from __future__ import annotations

import shutil
import socket
import sqlite3
from typing import Any

import pytest
from mlflow.exceptions import MlflowException
from mlflow.protos.databricks_pb2 import RESOURCE_DOES_NOT_EXIST, TEMPORARILY_UNAVAILABLE
from sqlalchemy.exc import OperationalError
from typer.testing import CliRunner

from {{ cookiecutter.module_name }}.cli.app import app
from {{ cookiecutter.module_name }}.core.errors import PipelineError
from {{ cookiecutter.module_name }}.core.paths import ProjectPaths
from {{ cookiecutter.module_name }}.core.texts import plain
from {{ cookiecutter.module_name }}.registry import mlflow_errors
from {{ cookiecutter.module_name }}.registry.backend import open_registry
from {{ cookiecutter.module_name }}.registry.mlflow_backend import MlflowRegistry

from .conftest import ParamsFactory
from .test_register import LOOSE_RMSE, evaluate_and_register, train_ridge


class Flaky:
    """Stands in for an MlflowClient method: fails `failures` times, then answers."""

    def __init__(self, failures: int, error: Exception, answer: Any) -> None:
        self.failures = failures
        self.error = error
        self.answer = answer
        self.calls = 0

    def __call__(self, *args: object, **kwargs: object) -> Any:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return self.answer


def opened(paths: ProjectPaths) -> MlflowRegistry:
    registry = open_registry(paths)
    assert isinstance(registry, MlflowRegistry)
    return registry


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries without the waits between them (decorated functions read it per call)."""
    monkeypatch.setattr(mlflow_errors, "FIRST_WAIT_SECONDS", 0.0)


def listing_versions(
    paths: ProjectPaths, monkeypatch: pytest.MonkeyPatch, error: Exception, failures: int
) -> tuple[Flaky, PipelineError | None]:
    """`models list`'s read with MLflow failing `failures` times: the stand-in (which
    counts the calls) and the error the registry raised, if any."""
    registry = opened(paths)
    flaky = Flaky(failures, error, [])
    monkeypatch.setattr(registry.client, "search_registered_models", flaky)
    try:
        assert registry.versions() == []
    except PipelineError as raised:
        return flaky, raised
    return flaky, None


def test_a_passing_failure_is_retried_until_it_answers(
    paths: ProjectPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    busy = MlflowException("server restarting", error_code=TEMPORARILY_UNAVAILABLE)
    flaky, raised = listing_versions(paths, monkeypatch, busy, mlflow_errors.ATTEMPTS - 1)
    assert raised is None
    assert flaky.calls == mlflow_errors.ATTEMPTS


def test_a_lasting_failure_stops_after_the_attempts_in_one_line(
    paths: ProjectPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    busy = MlflowException("server restarting\nstack trace", error_code=TEMPORARILY_UNAVAILABLE)
    flaky, raised = listing_versions(paths, monkeypatch, busy, 100)
    assert flaky.calls == mlflow_errors.ATTEMPTS
    message = str(raised)
    assert "\n" not in message
    assert "reading the model versions failed" in message
    assert f"tried {mlflow_errors.ATTEMPTS} times" in message
    assert "server restarting" in message


def test_a_failure_retrying_cannot_fix_is_not_retried(
    paths: ProjectPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = MlflowException("no such model", error_code=RESOURCE_DOES_NOT_EXIST)
    flaky, raised = listing_versions(paths, monkeypatch, missing, 100)
    assert flaky.calls == 1
    assert "reading the model versions failed: no such model" in str(raised)


def test_creating_a_version_is_never_repeated(
    paths: ProjectPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A create that failed on the way back may have created: repeating it could
    register the model twice."""
    registry = opened(paths)
    busy = MlflowException("gateway timeout", error_code=TEMPORARILY_UNAVAILABLE)
    flaky = Flaky(100, busy, None)
    monkeypatch.setattr(registry.client, "create_model_version", flaky)
    with pytest.raises(PipelineError, match="registering a model version failed"):
        registry.add_champion([], "0" * 64, {})
    assert flaky.calls == 1


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_an_unreachable_server_is_one_line_from_the_cli(
    paths: ProjectPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    uri = f"http://127.0.0.1:{closed_port()}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    result = CliRunner().invoke(app, ["models", "list", "--root", str(paths.root)])
    assert result.exit_code == 1, result.output
    assert result.output.startswith(f"{plain('cli.error')} MLflow at {uri}: "), result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("damage", ["bytes", "folder"])
def test_a_store_mlflow_cannot_open_is_refused_at_once(paths: ProjectPaths, damage: str) -> None:
    """MLflow would retry opening it for about 100 seconds, then print a traceback."""
    database = paths.registry / "mlflow.db"
    database.unlink()
    if damage == "bytes":
        database.write_bytes(b"not a database " * 100)
    else:
        database.mkdir()
    result = CliRunner().invoke(app, ["models", "list", "--root", str(paths.root)])
    assert result.exit_code == 1, result.output
    assert result.output.startswith(f"{plain('cli.error')} {database}: "), result.output
    assert len(result.output.strip().splitlines()) == 1, result.output


def test_a_moved_store_says_why_its_files_are_missing(
    paths: ProjectPaths, make_params: ParamsFactory
) -> None:
    registry = open_registry(paths)
    evaluate_and_register(paths, train_ridge(paths, make_params, 1.0), LOOSE_RMSE, registry)
    moved = paths.root.with_name(f"{paths.root.name}-moved")
    shutil.move(paths.root, moved)
    export = ["models", "export", str(moved / "bundle"), "--root", str(moved)]
    result = CliRunner().invoke(app, export)
    assert result.exit_code == 1, result.output
    assert "records absolute paths" in result.output, result.output


def test_the_reason_given_is_the_databases_own() -> None:
    """Under SQLAlchemy's and MLflow's wrappers ("raised as a result of Query-invoked
    autoflush ..."), the line carries what SQLite said."""
    said = sqlite3.OperationalError("attempt to write a readonly database")
    wrapped = OperationalError("INSERT INTO runs ...", {}, said)
    line = mlflow_errors.one_line(wrapped, "logging the evaluation run", repeatable=False)
    assert line.endswith("logging the evaluation run failed: attempt to write a readonly database")
