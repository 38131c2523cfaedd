"""MLflow tracking: every evaluation is a run with its params, metrics, reports and model.

MLFLOW_TRACKING_URI points the project at a team's server (Azure ML workspaces serve
this API too). Without it, a SQLite file and an artifact folder under models/registry
hold runs and registered models, so everything works with no server, and the folder
can travel between CI runs like the file registry does, restored at the same path:
MLflow records each version's files by absolute path.
"""

from __future__ import annotations

import logging
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlflow import MlflowClient
from mlflow.entities import Metric, Param, Run
from mlflow.exceptions import MlflowException

from ..core.errors import PipelineError
from ..core.paths import ProjectPaths
from ..core.tuning import Tuning
from .mlflow_errors import mlflow_operation

EXPERIMENT = "{{ cookiecutter.project_slug }}"
SQLITE_PREFIX = "sqlite:///"
SQLITE_HEADER = b"SQLite format 3\x00"  # the first bytes of every SQLite database file
SHA_TAG = "model_sha256"
# MLflow's own tag for the code version, shown in its UI.
GIT_COMMIT_TAG = "mlflow.source.git.commit"
# MLflow's own tag that nests a run under another in its UI (a tuning trial under its search).
PARENT_TAG = "mlflow.parentRunId"
# Values per log_batch request: MLflow refuses more than 100 params in one.
BATCH = 100
# Typed handles on MLflow's entities: some MLflow releases (those Azure ML's packages
# allow) leave their constructors unannotated, which mypy --strict refuses to call.
new_metric: Callable[[str, float, int, int], Metric] = Metric
new_param: Callable[[str, str], Param] = Param


@dataclass(frozen=True)
class Tracking:
    client: MlflowClient
    experiment_id: str
    uri: str


@mlflow_operation("connecting to the tracking store")
def connect(paths: ProjectPaths) -> Tracking:
    """The tracking server from MLFLOW_TRACKING_URI, or the project's SQLite file."""
    # Creating a database logs a dozen INFO lines of schema migrations, and loading the
    # champion would draw a download bar inside each stage's one-line summary.
    for name in ("alembic", "mlflow.store.db.utils"):
        logging.getLogger(name).setLevel(logging.WARNING)
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    # MLflow retries each HTTP request 7 times over about four minutes; a command should
    # answer sooner (mlflow_errors retries whole operations too). Set these to choose
    # otherwise, e.g. for a server that rate-limits for minutes.
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "2")
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "1")
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "30")
    uri = os.environ.get("MLFLOW_TRACKING_URI", "")
    artifact_location = None
    if not uri:
        paths.registry.mkdir(parents=True, exist_ok=True)
        uri = f"sqlite:///{(paths.registry / 'mlflow.db').resolve()}"
        artifact_location = (paths.registry / "artifacts").resolve().as_uri()
    if uri.startswith(SQLITE_PREFIX):
        check_sqlite_store(Path(uri.removeprefix(SQLITE_PREFIX)))
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    return Tracking(client, experiment_id(client, artifact_location), uri)


def check_sqlite_store(database: Path) -> None:
    """Refuse at once a SQLite store MLflow cannot open: it retries opening one for about
    100 seconds, printing a warning each time, before failing with a traceback."""
    if database.exists() and not database.is_file():
        raise PipelineError(f"{database}: the MLflow store is not a file")
    if database.is_file() and database.stat().st_size > 0:
        with database.open("rb") as handle:
            if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                raise PipelineError(
                    f"{database}: not a SQLite database (damaged or replaced); restore it "
                    "from the published registry, or move it away to start an empty one"
                )
    if not database.parent.is_dir():
        raise PipelineError(f"{database.parent}: the MLflow store's folder does not exist")
    try:
        database.touch(exist_ok=True)  # SQLite takes an empty file as a new database
    except OSError as error:
        raise PipelineError(f"{database}: the MLflow store cannot be written: {error}") from error


def experiment_id(client: MlflowClient, artifact_location: str | None) -> str:
    """The project's experiment, created on first use. Two first runs at once both find
    none and both create it: the one that loses reads the winner's."""
    experiment = client.get_experiment_by_name(EXPERIMENT)
    if experiment is not None:
        return str(experiment.experiment_id)
    try:
        return str(client.create_experiment(EXPERIMENT, artifact_location=artifact_location))
    except MlflowException:
        experiment = client.get_experiment_by_name(EXPERIMENT)
        if experiment is None:
            raise
        return str(experiment.experiment_id)


def flatten(values: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """{"model": {"name": "ridge"}} -> {"model.name": "ridge"}: MLflow params are flat."""
    flat: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, dict):
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def training_metrics(cv: dict[str, dict[str, float]]) -> dict[str, float]:
    """Cross-validation means under MLflow metric names (a sweep's objective is one)."""
    return {f"cv_{name}": values["mean"] for name, values in cv.items()}


def evaluation_metrics(metrics: dict[str, Any]) -> dict[str, float]:
    """The numbers in metrics.json under MLflow metric names."""
    logged = training_metrics(metrics["cv"])
    logged |= {f"holdout_{name}": value for name, value in metrics["holdout"].items()}
    logged |= {f"baseline_{name}": value for name, value in metrics["baseline"].items()}
    if metrics["champion"] and metrics["champion"]["holdout"]:  # none if it saw other data
        logged |= {f"champion_{name}": v for name, v in metrics["champion"]["holdout"].items()}
    return logged


def log_numbers(
    client: MlflowClient,
    run_id: str,
    metrics: dict[str, float],
    params: dict[str, Any] | None = None,
) -> None:
    """Metrics and params in batches: one request (one database transaction) per hundred
    values instead of one each, which made logging an evaluation take seconds."""
    now = int(time.time() * 1000)
    logged_metrics = [new_metric(key, value, now, 0) for key, value in metrics.items()]
    logged_params = [new_param(key, str(value)) for key, value in (params or {}).items()]
    # MLflow takes at most 100 params and 1000 values in all per batch.
    for start in range(0, max(len(logged_metrics), len(logged_params)), BATCH):
        client.log_batch(
            run_id,
            metrics=logged_metrics[start : start + BATCH],
            params=logged_params[start : start + BATCH],
        )


@mlflow_operation("logging the evaluation run", repeatable=False)
def log_evaluation(
    tracking: Tracking,
    metrics: dict[str, Any],
    params: dict[str, Any],
    model_files: list[Path],
    reports: list[Path],
    git_commit: str | None,
) -> str:
    """Record one evaluated candidate as a run; returns the run id."""
    client = tracking.client
    tags = {
        SHA_TAG: metrics["model_sha256"],
        "data_fingerprint": metrics["data_fingerprint"],
        "decision": "register" if metrics["decision"]["register"] else "do not register",
    }
    if git_commit:
        tags[GIT_COMMIT_TAG] = git_commit
    run = client.create_run(
        tracking.experiment_id,
        run_name=f"{metrics['model']}-{metrics['model_sha256'][:8]}",
        tags=tags,
    )
    run_id: str = run.info.run_id
    log_numbers(client, run_id, evaluation_metrics(metrics), flatten(params))
    for path in model_files:
        client.log_artifact(run_id, str(path), "model")
    for path in reports:
        client.log_artifact(run_id, str(path), "reports")
    client.set_terminated(run_id)
    return run_id


@mlflow_operation("logging the tuning runs", repeatable=False)
def log_tuning(tracking: Tracking, tuning: Tuning) -> str:
    """The search as a run, each trial a run nested under it (its values, and its
    cross-validated score unless it failed); returns the search's run id."""
    client = tracking.client
    best = tuning.best()
    parent = client.create_run(
        tracking.experiment_id, run_name=f"tune-{tuning.model}", tags={"stage": "tune"}
    )
    parent_id: str = parent.info.run_id
    metric = tuning.metric
    scores = {f"start_cv_{metric}": tuning.start.score, f"best_cv_{metric}": best.score}
    settings = {"model": tuning.model, "trials": len(tuning.trials) - 1}
    best_values = {f"best_{name}": value for name, value in best.values.items()}
    log_numbers(client, parent_id, scores, settings | best_values)
    for trial in tuning.trials:
        child = client.create_run(
            tracking.experiment_id, run_name=f"trial-{trial.number}", tags={PARENT_TAG: parent_id}
        )
        scored = math.isfinite(trial.score)
        metrics = {f"cv_{tuning.metric}": trial.score, "seconds": trial.seconds} if scored else {}
        log_numbers(client, child.info.run_id, metrics, dict(trial.values))
        client.set_terminated(child.info.run_id, status="FINISHED" if scored else "FAILED")
    client.set_terminated(parent_id)
    return parent_id


{% if cookiecutter.compute == "azureml" -%}
@mlflow_operation("logging to the Azure ML job run", repeatable=False)
def log_to_job_run(metrics: dict[str, float]) -> str | None:
    """Log to the run of the job this process is (Azure ML sets MLFLOW_RUN_ID and the
    tracking URI for every job); returns the run id, or None outside such a job."""
    run_id = os.environ.get("MLFLOW_RUN_ID")
    if not run_id:
        return None
    log_numbers(MlflowClient(), run_id, metrics)
    return run_id


{% endif -%}
@mlflow_operation("finding the evaluation run")
def find_run(tracking: Tracking, sha256: str) -> Run | None:
    """The latest run that evaluated the model file with this hash."""
    runs = tracking.client.search_runs(
        [tracking.experiment_id],
        filter_string=f"tags.{SHA_TAG} = '{sha256}'",
        order_by=["attributes.start_time DESC"],
        max_results=1,
    )
    return runs[0] if runs else None
