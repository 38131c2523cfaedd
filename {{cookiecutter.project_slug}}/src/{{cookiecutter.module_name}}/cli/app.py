"""The command line: one subcommand per stage, plus `run` for all of them in order.

Stage modules are imported inside the commands that run them: the scientific stack
takes seconds to load, and `--help` or a typo should not wait for it. Help and messages
are sentences of the catalogue (messages/), in the project's language.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..core.errors import PipelineError
from ..core.paths import ProjectPaths, absolute
from ..core.texts import plain, text
{%- if cookiecutter.compute == "azureml" %}
from .azureml import azureml_app
{%- endif %}
from .models import models_app
from .support import HELP_MARKUP, Root, command, console, print_error, user_errors

if TYPE_CHECKING:
    from rich.progress import Progress

    from ..core.config import HyperParameter
    from ..registry.bundle import LoadedBundle
    from ..stages.pipeline import Stage

# pyproject.toml's description (a test keeps the two equal). Not read from the installed
# metadata: importlib.metadata alone takes longer to import than typer.
{{ cookiecutter.description | python_constant("SUMMARY") }}

app = typer.Typer(
    help=f"{SUMMARY}\n\n{plain('help.app')}",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=HELP_MARKUP,
)
app.add_typer(models_app, name="models")
{%- if cookiecutter.compute == "azureml" %}
app.add_typer(azureml_app, name="azureml")
{%- endif %}
Params = Annotated[Path | None, typer.Option(help=plain("help.option.params"))]
DataDir = Annotated[Path | None, typer.Option(help=plain("help.option.data_dir"))]
ModelDir = Annotated[Path | None, typer.Option(help=plain("help.option.model_dir"))]
ReportsDir = Annotated[Path | None, typer.Option(help=plain("help.option.reports_dir"))]
DocsDir = Annotated[Path | None, typer.Option(help=plain("help.option.docs_dir"))]
Goal = Annotated[
    Path | None,
    typer.Option(help=plain("help.option.goal")),
]


def resolve_paths(
    root: Path,
    params: Path | None = None,
    data_dir: Path | None = None,
    model_dir: Path | None = None,
    reports_dir: Path | None = None,
    **more: Path | None,
) -> ProjectPaths:
    """The standard layout under `root`, with any location the user passed instead;
    `more` names other ProjectPaths fields (docs, business_goal, registration, source)."""
    overrides = {
        "params": params,
        "interim": data_dir,
        "candidate": model_dir,
        "reports": reports_dir,
        # Register writes beside the reports it read unless told otherwise.
        "registration": reports_dir,
    }
    overrides |= {key: value for key, value in more.items() if value}
    return dataclasses.replace(
        ProjectPaths.at(root), **{key: value for key, value in overrides.items() if value}
    )


def load_model(root: Path, bundle: Path | None) -> LoadedBundle:
    """An exported bundle, or the registry's champion, hash-checked either way."""
    from ..registry.backend import open_registry
    from ..registry.bundle import load_bundle, load_champion_bundle

    if bundle is not None:
        return load_bundle(bundle)
    return load_champion_bundle(open_registry(ProjectPaths.at(root)))


def run_stage(stage: Stage, paths: ProjectPaths, shown_in: Progress | None = None) -> None:
    """Run the stage and print its summary; a large file's reading shows its bar in
    `shown_in`, the pipeline's display in `run`."""
    from .feedback import ConsoleFeedback

    with user_errors():
        started = time.perf_counter()
        summary = stage.run(paths, ConsoleFeedback(shown_in))
    # One line per stage (the console never folds lines): scripts read these lines.
    elapsed = time.perf_counter() - started
    console().print(f"{stage.name}: {summary} ({elapsed:.1f}s)", highlight=False)


def run_named_stage(name: str, paths: ProjectPaths) -> None:
    """Run one stage of the pipeline (imported only now: see the module docstring)."""
    from ..stages.pipeline import STAGES

    run_stage(next(stage for stage in STAGES if stage.name == name), paths)


def parse_hyperparameters(assignments: list[str]) -> dict[str, HyperParameter]:
    """["alpha=0.5", "fit_intercept=false"] -> {"alpha": 0.5, "fit_intercept": False}."""
    import yaml

    parsed: dict[str, HyperParameter] = {}
    for assignment in assignments:
        name, equals, value = assignment.partition("=")
        if not equals or not name.strip():
            raise typer.BadParameter(
                text("cli.not_assignment", given=repr(assignment)), param_hint="--set"
            )
        # YAML reads values the way params.yaml does: 0.5, 10, true, null, text.
        loaded = yaml.safe_load(value)
        if not isinstance(loaded, bool | int | float | str | None):
            raise typer.BadParameter(
                text("cli.not_single_value", given=repr(assignment)), param_hint="--set"
            )
        parsed[name.strip()] = loaded
    return parsed


@command(app, "help.prepare")
def prepare(
    root: Root = Path(),
    params: Params = None,
    data_dir: DataDir = None,
    source: Annotated[Path | None, typer.Option(help=plain("help.option.source"))] = None,
) -> None:
    run_named_stage("prepare", resolve_paths(root, params, data_dir, source=source))


@command(app, "help.analyze")
def analyze(
    root: Root = Path(),
    data_dir: DataDir = None,
    reports_dir: ReportsDir = None,
    docs_dir: DocsDir = None,
) -> None:
    paths = resolve_paths(root, data_dir=data_dir, reports_dir=reports_dir, docs=docs_dir)
    run_named_stage("analyze", paths)


@command(app, "help.preprocess")
def preprocess(root: Root = Path(), params: Params = None, data_dir: DataDir = None) -> None:
    run_named_stage("preprocess", resolve_paths(root, params, data_dir))


@command(app, "help.train")
def train(
    root: Root = Path(),
    params: Params = None,
    data_dir: DataDir = None,
    model_dir: ModelDir = None,
    hyperparameters: Annotated[
        list[str] | None,
        typer.Option("--set", help=plain("help.option.set")),
    ] = None,
    goal: Goal = None,
) -> None:
    from ..stages.pipeline import Stage, run_train

    overrides = parse_hyperparameters(hyperparameters or [])
    stage = Stage("train", lambda paths, feedback: run_train(paths, feedback, overrides))
    run_stage(stage, resolve_paths(root, params, data_dir, model_dir, business_goal=goal))


@command(app, "help.tune")
def tune(
    root: Root = Path(),
    trials: Annotated[int | None, typer.Option(min=1, help=plain("help.option.trials"))] = None,
    timeout_minutes: Annotated[
        float | None,
        typer.Option(min=0.01, help=plain("help.option.timeout_minutes")),
    ] = None,
) -> None:
    from ..stages.pipeline import Stage, run_tune

    paths = ProjectPaths.at(root)
    if report_problems(paths):  # every problem in a line each, before minutes of trials
        raise typer.Exit(1)
    stage = Stage(
        "tune", lambda paths, feedback: run_tune(paths, feedback, trials, timeout_minutes)
    )
    run_stage(stage, paths)


@command(app, "help.evaluate")
def evaluate(
    root: Root = Path(),
    data_dir: DataDir = None,
    model_dir: ModelDir = None,
    reports_dir: ReportsDir = None,
    docs_dir: DocsDir = None,
    goal: Goal = None,
) -> None:
    paths = resolve_paths(
        root, None, data_dir, model_dir, reports_dir, docs=docs_dir, business_goal=goal
    )
    run_named_stage("evaluate", paths)


@command(app, "help.register")
def register(
    root: Root = Path(),
    model_dir: ModelDir = None,
    reports_dir: ReportsDir = None,
    registration_dir: Annotated[
        Path | None,
        typer.Option(help=plain("help.option.registration_dir")),
    ] = None,
) -> None:
    paths = resolve_paths(
        root, model_dir=model_dir, reports_dir=reports_dir, registration=registration_dir
    )
    run_named_stage("register", paths)


@command(app, "help.sample_data", "sample-data")
def sample_data(
    target: Annotated[Path, typer.Argument(help=plain("help.option.sample_target"))],
) -> None:
    from ..core.config import SAMPLE_SOURCE
    from ..stages.prepare import load_source

    with user_errors():
        if target.exists():
            raise PipelineError(text("cli.exists", target=target))
        target.parent.mkdir(parents=True, exist_ok=True)
        frame = load_source(SAMPLE_SOURCE, Path())
        frame.to_csv(target, index=False)
    summary = text("cli.sample_data", target=target, rows=len(frame), columns=frame.shape[1])
    console().print(summary, highlight=False)


@command(app, "help.predict")
def predict(
    source: Annotated[Path, typer.Argument(help=plain("help.option.rows_to_score"))],
    output: Annotated[Path, typer.Option("--output", "-o", help=plain("help.option.output"))],
    root: Root = Path(),
    bundle: Annotated[Path | None, typer.Option(help=plain("help.option.bundle"))] = None,
    chunk_rows: Annotated[int, typer.Option(min=1, help=plain("help.option.chunk_rows"))] = (
        100_000
    ),
) -> None:
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

    from ..stages.predict import predict_file

    with user_errors():
        loaded = load_model(root, bundle)
        columns = (
            TextColumn("predict"),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[rows]} rows"),
        )
        shown_on = console()  # no bar in a log or a pipe: it would leave a blank line
        with Progress(
            *columns, console=shown_on, transient=True, disable=not shown_on.is_terminal
        ) as progress:
            task = progress.add_task("predict", total=None, rows=0)
            rows = predict_file(
                loaded,
                source,
                output,
                chunk_rows,
                report=lambda done: progress.update(
                    task, completed=done.done, total=done.total, rows=done.rows
                ),
            )
    summary = text("cli.predicted", rows=rows, version=loaded.version, output=output)
    console().print(f"predict: {summary}", highlight=False)


@command(app, "help.use_data", "use-data")
def use_data(
    source: Annotated[Path, typer.Argument(help=plain("help.option.own_table"))],
    target: Annotated[str, typer.Option(help=plain("help.option.target"))],
    task: Annotated[
        str | None,
        typer.Option(help=plain("help.option.task")),
    ] = None,
    root: Root = Path(),
) -> None:
{%- if cookiecutter.data_versioning == "dvc" %}
    from ..core.data_version import dvc_record
{%- endif %}
    from ..stages.use_data import use_data as adopt

    paths = ProjectPaths.at(root)
    with user_errors():
        if task not in (None, "regression", "classification"):
            raise PipelineError(text("cli.use_data.task", given=repr(task)))
        # Not resolved: a link into a data cache must keep its own place in params.yaml.
        location, project = absolute(source), absolute(paths.root)
        if not location.is_relative_to(project):
            raise PipelineError(text("cli.use_data.outside", source=source))
        relative = location.relative_to(project).as_posix()
        adoption = adopt(paths, relative, target, task)
{%- if cookiecutter.data_versioning == "dvc" %}
        untracked = dvc_record(paths.root, paths.root / relative) is None
{%- endif %}
    gate = adoption.gate
    lines = [
        text(
            "cli.use_data.params",
            source=relative,
            target=repr(target),
            task=adoption.task,
            classes=len(adoption.classes or []),
            model=adoption.model,
        ),
        text(
            "cli.use_data.gate",
            goal=paths.business_goal.name,
            metric=gate.metric,
            minimize=gate.direction == "minimize",
            threshold=gate.threshold,
            dummy=gate.dummy,
        ),
    ]
    if adoption.emptied:
        lines.append(text("cli.use_data.emptied", keys=", ".join(adoption.emptied)))
{%- if cookiecutter.data_versioning == "dvc" %}
    if untracked:
        lines.append(text("cli.use_data.dvc_add", source=relative))
{%- endif %}
    for line in lines:
        console().print(f"use-data: {line}", highlight=False)


def report_problems(paths: ProjectPaths) -> int:
    """Print each problem of the project's params, goal and data as it is found (the
    cheap checks first); returns how many there were."""
    from ..stages.validate import project_problems

    count = 0
    for problem in project_problems(paths):
        print_error(problem)
        count += 1
    return count


# `monitor`'s exit status when retraining is due: CI starts the train pipeline on it.
RETRAIN_STATUS = 3


@command(app, "help.monitor")
def monitor(
    root: Root = Path(),
    # A string, not a Path: a URL's "//" must survive (s3://bucket/requests).
    requests: Annotated[str | None, typer.Option(help=plain("help.option.requests"))] = None,
    batch: Annotated[Path | None, typer.Option(help=plain("help.option.batch"))] = None,
    labels: Annotated[Path | None, typer.Option(help=plain("help.option.labels"))] = None,
    since: Annotated[str | None, typer.Option(help=plain("help.option.since"))] = None,
) -> None:
    from datetime import UTC, datetime

    from ..stages.pipeline import run_monitor

    try:
        start = None if since is None else datetime.fromisoformat(since)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--since") from None
    if start is not None and start.tzinfo is None:
        start = start.replace(tzinfo=UTC)  # the log's times are UTC
    started = time.perf_counter()
    with user_errors():
        result = run_monitor(ProjectPaths.at(root), requests, batch, labels, start)
    live = result.live.value if result.live is not None else None
    summary = text(
        "summary.monitor",
        rows=result.rows,
        drifted=len(result.drifted),
        features=len(result.features),
        live=live,
        metric=result.live.metric if result.live is not None else "",
        judged=result.judged,
        retrain=result.retrain,
        skipped=result.unreadable,
        first_skipped=result.first_unreadable,
    )
    console().print(f"monitor: {summary} ({time.perf_counter() - started:.1f}s)", highlight=False)
    if result.retrain:
        raise typer.Exit(RETRAIN_STATUS)


@command(app, "help.check")
def check(root: Root = Path(), params: Params = None) -> None:
    if report_problems(resolve_paths(root, params)):
        raise typer.Exit(1)
    console().print(f"check: {plain('cli.checked')}", highlight=False)


@command(app, "help.run")
def run(root: Root = Path(), params: Params = None) -> None:
    from ..stages.pipeline import STAGES
    from .feedback import progress_display

    paths = resolve_paths(root, params)
    if report_problems(paths):
        raise typer.Exit(1)
    with progress_display() as progress:
        task = progress.add_task("pipeline", total=len(STAGES))
        for stage in STAGES:
            progress.update(task, description=stage.name)
            run_stage(stage, paths, shown_in=progress)
            progress.advance(task)


{% if cookiecutter.serving == "fastapi" -%}
@command(app, "help.serve")
def serve(
    root: Root = Path(),
    bundle: Annotated[Path | None, typer.Option(help=plain("help.option.bundle"))] = None,
    host: Annotated[str, typer.Option(help=plain("help.option.host"))] = "127.0.0.1",
    port: Annotated[int, typer.Option(help=plain("help.option.port"))] = 8000,
    workers: Annotated[int, typer.Option(min=1, help=plain("help.option.workers"))] = 1,
    request_log: Annotated[Path | None, typer.Option(help=plain("help.option.request_log"))] = None,
    record: Annotated[bool, typer.Option(help=plain("help.option.record"))] = True,
) -> None:
    # Imported here: the web stack is only needed by this command.
    import os
    import tempfile

    import uvicorn

    from ..registry.backend import open_registry
    from ..registry.bundle import export_bundle
    from ..serving.app import create_app
    from ..serving.request_log import LOG_VARIABLE, OFF, RequestLog, folder_from_environment
    from ..serving.workers import BUNDLE_VARIABLE, FACTORY

    default_folder = ProjectPaths.at(root).requests
    folder = (request_log or folder_from_environment(default_folder)) if record else None

    with tempfile.TemporaryDirectory() as scratch:
        with user_errors():
            if folder is not None:  # an unwritable folder is named here, not in a worker
                folder.mkdir(parents=True, exist_ok=True)
            if workers > 1 and bundle is None:
                # Exported once, so that every worker process serves the same version.
                bundle = Path(scratch) / "champion"
                export_bundle(open_registry(ProjectPaths.at(root)), bundle)
            loaded = load_model(root, bundle)
            # In one process the app records; with workers, each worker records itself.
            log = RequestLog(folder) if folder is not None and workers == 1 else None
            service = create_app(loaded, log)  # a broken template stops here, not in a worker
        url = f"http://{host}:{port}/"
        console().print(text("cli.serving", version=loaded.version, url=url, workers=workers))
        recording = text("cli.recording", folder=folder) if folder else plain("cli.not_recording")
        console().print(recording)
        if workers == 1:
            uvicorn.run(service, host=host, port=port, log_level="warning")
            return
        assert bundle is not None  # exported above
        os.environ[BUNDLE_VARIABLE] = str(bundle.resolve())
        os.environ[LOG_VARIABLE] = str(folder.resolve()) if folder is not None else OFF
        uvicorn.run(
            FACTORY, factory=True, workers=workers, host=host, port=port, log_level="warning"
        )


{% endif -%}
def main() -> None:
    app()
