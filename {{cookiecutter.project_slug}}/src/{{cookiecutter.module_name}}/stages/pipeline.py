"""All stages in order, over one project's standard paths: what `run` executes."""

from __future__ import annotations

{% if cookiecutter.data_versioning == "dvc" -%}
import os
{% endif -%}
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.config import HyperParameter, load_params, with_overrides
from ..core.feedback import QUIET, Feedback
from ..core.paths import ProjectPaths
from ..core.texts import text

if TYPE_CHECKING:
    from ..core.drift import Monitoring
{%- if cookiecutter.data_versioning == "dvc" %}

# Set by `dvc exp run` in the environment of the stages it runs.
DVC_EXPERIMENT = "DVC_EXP_BASELINE_REV"
{%- endif %}

# Each run_<stage> imports its stage when it runs: `prepare` loads neither MLflow nor
# matplotlib, and a one-stage job (CI, Azure ML) starts that much sooner.


@dataclass(frozen=True)
class Stage:
    name: str
    run: Callable[[ProjectPaths, Feedback], str]  # returns a one-line summary


def run_prepare(paths: ProjectPaths, feedback: Feedback = QUIET) -> str:
    from .prepare import prepare

    params = with_overrides(load_params(paths.params), source=paths.source)
    prepared = prepare(params, paths.root, paths.interim, feedback)
    return text("summary.prepare", train=len(prepared.train), holdout=len(prepared.holdout))


def run_analyze(paths: ProjectPaths, feedback: Feedback = QUIET) -> str:
    from ..core.dataset import load_prepared
    from .analyze import REPORT_FILE as ANALYSIS_REPORT
    from .analyze import analyze

    summary = analyze(
        load_prepared(paths.interim), paths.docs / ANALYSIS_REPORT, paths.analysis_figures
    )
    report = f"docs/{ANALYSIS_REPORT}"
    return text("summary.analyze", rows=summary.rows, features=summary.columns, report=report)


def run_preprocess(paths: ProjectPaths, feedback: Feedback = QUIET) -> str:
    from ..core.dataset import TRAIN_FILE, load_prepared
    from .preprocess import preprocess

    params = load_params(paths.params)
    prepared = load_prepared(paths.interim)
    transformed = preprocess(prepared, params, paths.processed, paths.interim / TRAIN_FILE)
    return text("summary.preprocess", inputs=transformed.shape[1] - 1)


def run_train(
    paths: ProjectPaths,
    feedback: Feedback = QUIET,
    hyperparameters: dict[str, HyperParameter] | None = None,
) -> str:
    from ..core.dataset import TRAIN_FILE, load_prepared
{%- if cookiecutter.compute == "azureml" %}
    from ..registry.mlflow_tracking import log_to_job_run, training_metrics
{%- endif %}
    from .preprocess import fitted_preprocessor
    from .train import threshold_values, train

    params = with_overrides(load_params(paths.params), hyperparameters=hyperparameters)
    prepared = load_prepared(paths.interim)
    train_file = paths.interim / TRAIN_FILE
    preprocessor = fitted_preprocessor(paths.processed, train_file, prepared.schema, params)
    worth = threshold_values(paths.business_goal, prepared.schema, params)
    trained = train(prepared, params, paths.candidate, preprocessor, worth)
{%- if cookiecutter.compute == "azureml" %}
    # A sweep trial reports its score to the run Azure ML started for it.
    log_to_job_run(training_metrics(trained.cv))
{%- endif %}
    shown = goal_metric(paths, params.task) or next(iter(trained.cv))
    shown = shown if shown in trained.cv else next(iter(trained.cv))
    score = trained.cv[shown]["mean"]
    return text("summary.train", model=params.model.name, metric=shown, value=score)


def goal_metric(paths: ProjectPaths, task: str) -> str | None:
    """The metric the business goal judges by, as cross-validation scores it (the
    task's stand-in for `value`); None without a readable goal, which train does not
    need: the line then shows the first metric."""
    from ..core.errors import PipelineError
    from ..core.goal import load_goal, scorer_metric

    try:
        return scorer_metric(load_goal(paths.business_goal, task).metric, task)
    except PipelineError:
        return None


def run_tune(
    paths: ProjectPaths,
    feedback: Feedback = QUIET,
    trials: int | None = None,
    timeout_minutes: float | None = None,
) -> str:
    """Search params.yaml's tune.space for the model it names (`trials` and
    `timeout_minutes` over its tune settings), in the business goal's metric, and write
    the best values into params.yaml when they beat its own."""
    from ..core.dataset import load_prepared
    from ..core.errors import PipelineError
    from ..core.goal import load_goal, scorer_metric
{%- if cookiecutter.tracking == "mlflow" %}
    from ..registry.mlflow_tracking import connect, log_tuning
{%- endif %}
    from ..reports.tuning_figure import FIGURE_FILE, plot_trials
    from .prepare import stale_preparation
    from .tune import TRIALS_FILE, apply_best, summary, tune, write_trials

    params = load_params(paths.params)
    prepared = load_prepared(paths.interim)
    stale = stale_preparation(prepared, params)
    if stale:
        raise PipelineError(text("prepare.run_first", reason=stale))
    # A failed search must not leave the previous one's results looking like its own.
    (paths.tuning / TRIALS_FILE).unlink(missing_ok=True)
    (paths.tuning / FIGURE_FILE).unlink(missing_ok=True)
    goal = load_goal(paths.business_goal, prepared.schema.task)
    metric = scorer_metric(goal.metric, params.task)
    minutes = timeout_minutes if timeout_minutes is not None else params.tune.timeout_minutes
    budget = trials or params.tune.trials
    tuning = tune(
        prepared, params, metric, budget, minutes * 60 if minutes is not None else None, feedback
    )
    write_trials(tuning, paths.tuning)
    plot_trials(tuning, paths.tuning)
{%- if cookiecutter.tracking == "mlflow" %}
    run_id = log_tuning(connect(paths), tuning)
{%- endif %}
    line = summary(tuning, budget, minutes, apply_best(paths.params, tuning))
{%- if cookiecutter.tracking == "mlflow" %}
    line = f"{line} (MLflow run {run_id[:8]})"
{%- endif %}
    return line


def run_evaluate(paths: ProjectPaths, feedback: Feedback = QUIET) -> str:
{%- if cookiecutter.tracking == "mlflow" %}
    from ..core.dataset import load_prepared
    from ..core.goal import load_goal
    from ..core.lineage import git_commit
    from ..core.model_io import MODEL_CARD_FILE, MODEL_FILE, TRAINING_FILE
    from ..registry.backend import open_registry
    from ..registry.mlflow_tracking import connect, log_evaluation
    from ..reports.model_card import intended_use
    from .evaluate import METRICS_FILE, evaluate
    from .evaluate import REPORT_FILE as TEST_REPORT
{%- else %}
    from ..core.dataset import load_prepared
    from ..core.goal import load_goal
    from ..registry.backend import open_registry
    from ..reports.model_card import intended_use
    from .evaluate import REPORT_FILE as TEST_REPORT
    from .evaluate import evaluate
{%- endif %}

    prepared = load_prepared(paths.interim)
    goal = load_goal(paths.business_goal, prepared.schema.task)
    evaluation = evaluate(
        prepared,
        paths.candidate,
        goal,
        paths.reports,
        paths.docs / TEST_REPORT,
        open_registry(paths),
        use=intended_use(paths.business_goal),
    )
    verdict = evaluation.goal
    line = text(
        "summary.evaluate",
        metric=verdict.metric,
        value=verdict.value,
        register=evaluation.decision.register,
    )
{%- if cookiecutter.tracking == "mlflow" %}
    run_id = log_evaluation(
        connect(paths),
        evaluation.to_dict(),
        evaluation.record["params"],
        [paths.candidate / MODEL_FILE, paths.candidate / TRAINING_FILE],
        [
            paths.reports / METRICS_FILE,
            paths.reports / MODEL_CARD_FILE,
            paths.docs / TEST_REPORT,
            *sorted(paths.test_figures.glob("*.png")),
        ],
        git_commit(paths.root),
    )
    return f"{line} ({text('summary.mlflow_run', run=run_id[:8])})"
{%- else %}
    return line
{%- endif %}


def run_register(paths: ProjectPaths, feedback: Feedback = QUIET) -> str:
    import dataclasses

    from ..core.artifacts import write_json
    from ..registry.backend import open_registry
    from .evaluate import METRICS_FILE
{%- if cookiecutter.data_versioning == "dvc" %}
    from .register import REGISTRATION_FILE, Registration, register

    if os.environ.get(DVC_EXPERIMENT):
        # Experiments are compared before one is kept: none of them may move the champion.
        result = Registration(False, None, text("register.experiment"))
    else:
        result = register(
            paths.candidate, paths.reports / METRICS_FILE, open_registry(paths), paths.root
        )
{%- else %}
    from .register import REGISTRATION_FILE, register

    result = register(
        paths.candidate, paths.reports / METRICS_FILE, open_registry(paths), paths.root
    )
{%- endif %}
    # CI reads this to decide whether to publish the registry and deploy.
    write_json(paths.registration / REGISTRATION_FILE, dataclasses.asdict(result))
    if result.registered:
        return text("summary.registered", version=result.version)
    return text("summary.not_registered", reason=result.reason)


def run_monitor(
    paths: ProjectPaths,
    requests: str | None = None,
    batch: Path | None = None,
    labels: Path | None = None,
    since: datetime | None = None,
) -> Monitoring:
    """Recent rows (the requests recorded in a folder here or at a URL, or `batch`)
    against the prepared training split, judged for the registry's champion; writes the
    report and monitoring.json. Not one of STAGES: it watches what `run` produced, on its
    own schedule."""
    from ..core.dataset import load_prepared
    from ..core.goal import load_goal
    from ..registry.backend import open_registry
    from ..registry.bundle import load_champion_bundle
    from ..reports.monitoring_report import write_report
    from .monitor import (
        REPORT_FILE,
        batch_window,
        monitor,
        read_labels,
        recorded_window,
        write_result,
    )

    prepared = load_prepared(paths.interim)
    bundle = load_champion_bundle(open_registry(paths))
    goal = load_goal(paths.business_goal, bundle.schema.task)
    if batch is not None:
        window = batch_window(batch, paths.root, bundle)
    else:
        window = recorded_window(requests or str(paths.requests), bundle, since)
    known = None if labels is None else read_labels(labels, paths.root, bundle.schema.target)
    result = monitor(window, prepared, bundle, goal, known)
    write_result(result, paths.reports)
    reference = prepared.features(prepared.train)
    report = paths.docs / REPORT_FILE
    write_report(result, reference, window.features, report, paths.monitoring_figures)
    return result


STAGES = (
    Stage("prepare", run_prepare),
    Stage("analyze", run_analyze),
    Stage("preprocess", run_preprocess),
    Stage("train", run_train),
    Stage("evaluate", run_evaluate),
    Stage("register", run_register),
)


def run_all(paths: ProjectPaths, feedback: Feedback = QUIET) -> Iterator[tuple[Stage, str]]:
    """Run each stage in order, yielding its summary so callers can show progress."""
    for stage in STAGES:
        yield stage, stage.run(paths, feedback)
